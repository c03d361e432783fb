using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using RecEngine.Data;
using RecEngine.Models.Neural;

namespace RecEngine.Benchmarks.Neural;

/// <summary>
/// The neural scorer (default options: 32-wide embeddings and their product, hidden layers 64 and 32, content and
/// context inputs) scoring 1,000 candidate items for one user through <see cref="IRecommender.Score"/>, as a
/// re-ranker does; fitted on MovieLens 100K (the real data when <c>RECENGINE_DATA</c> is set, else the synthetic
/// shape).
/// </summary>
[MemoryDiagnoser]
public class NeuralScoringBenchmark
{
    private NeuralRecommender _model = null!;
    private string[] _candidates = [];
    private float[] _scores = [];
    private string _user = "";

    [GlobalSetup]
    public void Setup()
    {
        InteractionDataset data = BenchmarkData.MovieLens100K();
        _model = new NeuralRecommender(new NeuralOptions { Epochs = 2, DegreeOfParallelism = 2 });
        _model.Fit(data);
        _candidates = [.. Enumerable.Range(0, 1_000).Select(i => data.Items.GetId(i % data.ItemCount))];
        _scores = new float[_candidates.Length];
        _user = data.Users.GetId(7);
    }

    [Benchmark]
    public float Score1000Candidates()
    {
        _model.Score(_user, _candidates, _scores);
        return _scores[0];
    }
}

/// <summary>
/// One training epoch of the neural scorer (default options, 4 negatives per positive, no validation hold-out) on
/// MovieLens 100K (real or synthetic) and on the synthetic MovieLens-1M shape, with 1 and 2 threads. Includes building
/// the features and the first-epoch set-up, which are small next to the epoch. One warm-up epoch first (the first
/// runs partly unoptimised code); the median is the figure to quote on a machine whose neighbours come and go.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
[MedianColumn]
public class NeuralEpochBenchmark
{
    private InteractionDataset _data = null!;

    [Params("ml-100k", "ml-1m-shape")]
    public string Dataset { get; set; } = "ml-100k";

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup() => _data = Dataset == "ml-100k" ? BenchmarkData.MovieLens100K() : BenchmarkData.MovieLens1MShape();

    [Benchmark]
    public NeuralRecommender OneEpoch()
    {
        var model = new NeuralRecommender(new NeuralOptions { Epochs = 1, ValidationFraction = 0, DegreeOfParallelism = Threads });
        model.Fit(_data);
        return model;
    }
}
