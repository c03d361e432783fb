using BenchmarkDotNet.Attributes;
using RecEngine.Data;
using RecEngine.Models.Content;
using RecEngine.Models.Neighborhood;

namespace RecEngine.Benchmarks.Neighborhood;

/// <summary>
/// The cost of one event on the incremental state of the neighbourhood and content models, in steady state: each
/// operation applies one event (weight 1, summed) to an interaction that already exists, drawn from a fixed
/// pseudo-random sequence, so the matrix keeps its shape however long the benchmark runs. An event on a new
/// interaction costs the same plus the creation of the pairs it opens.
/// </summary>
/// <remarks>
/// Item-kNN (cosine, K = 20 plus 20 spare): the item's pair sums with the user's other items, the item's list from
/// its pairs, and the item re-ranked in the lists it may enter, O(n_u + deg(i)). Content: the item's vector added to
/// the user's profile, O(nnz(f_i) log nnz(p_u)).
/// </remarks>
public class IncrementalUpdateBenchmark
{
    private const int EventsPerInvoke = 64;

    private IncrementalNeighborIndex _index = null!;
    private ContentProfiles _profiles = null!;
    private (int User, int Item)[] _events = [];
    private int _next;

    [Params("ml-100k", "ml-1m-shape")]
    public string Data { get; set; } = "ml-100k";

    [GlobalSetup]
    public void Setup()
    {
        InteractionDataset data = Data == "ml-100k" ? BenchmarkData.MovieLens100K() : BenchmarkData.MovieLens1MShape();
        var matrix = InteractionMatrix.Build(data, MatrixValues.Weight, DuplicatePolicy.Sum);
        _index = IncrementalNeighborIndex.Build(matrix.ByItem, matrix.ByUser, SimilarityMeasure.Cosine, 0f, neighbors: 20, slack: 20);
        var space = FeatureSpace.Build(data.Catalog, new ContentOptions());
        SparseRows vectors = ContentRecommender.ItemVectors(data.Catalog, space, CancellationToken.None);
        _profiles = ContentProfiles.Build(matrix, vectors, space.Count);

        var random = new Random(7);
        _events = new (int, int)[4096];
        for (int e = 0; e < _events.Length; e++)
        {
            int row = random.Next(data.Count);
            _events[e] = (data.UserIndices[row], data.ItemIndices[row]);
        }
    }

    [Benchmark(OperationsPerInvoke = EventsPerInvoke)]
    public void ItemKnnEvent()
    {
        for (int e = 0; e < EventsPerInvoke; e++)
        {
            (int user, int item) = _events[_next++ & (_events.Length - 1)];
            _index.Apply(item, user, 1f, DuplicatePolicy.Sum);
        }
    }

    [Benchmark(OperationsPerInvoke = EventsPerInvoke)]
    public void ContentProfileEvent()
    {
        for (int e = 0; e < EventsPerInvoke; e++)
        {
            (int user, int item) = _events[_next++ & (_events.Length - 1)];
            _profiles.Apply(user, item, 1f);
        }
    }
}
