using BenchmarkDotNet.Attributes;
using RecEngine.Data;
using RecEngine.Models.Neighborhood;

namespace RecEngine.Benchmarks.Neighborhood;

/// <summary>
/// Item-item similarity build (the sparse product, K = 20 neighbours per item, no shrinkage) on the synthetic
/// MovieLens-1M shape: 3,706 items over 6,040 users, 1,000,209 interactions, every interaction a 1.
/// </summary>
[MemoryDiagnoser]
public class SimilarityBuildBenchmark
{
    private SparseRows _items;
    private SparseRows _users;

    [Params(SimilarityMeasure.Cosine, SimilarityMeasure.Pearson)]
    public SimilarityMeasure Measure { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var matrix = InteractionMatrix.Build(BenchmarkData.MovieLens1MShape(), MatrixValues.One, DuplicatePolicy.LastWins);
        _items = matrix.ByItem;
        _users = matrix.ByUser;
    }

    [Benchmark]
    public int BuildItemItemMovieLens1MShape() =>
        SimilarityBuilder.Build(_items, _users, Measure, 0f, 20, Threads, CancellationToken.None).NeighborCount;
}
