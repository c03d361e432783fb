using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Models.Factorization;

namespace RecEngine.Benchmarks.Ingest;

/// <summary>
/// Sustained ingest with the live implicit ALS model on the synthetic MovieLens-1M shape (k = 64): 100,000 click
/// events (users drawn in proportion to their activity, items uniformly) submitted as one batch and flushed. Every
/// micro-batch re-solves each touched user exactly (Cholesky fold-in) on 2 threads, then, with item updates, each
/// touched item, and publishes a version. The live model is rebuilt from the fitted one before every iteration, so
/// histories do not grow across iterations. One operation is one event.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class LiveAlsIngestBenchmark
{
    private const int Events = 100_000;

    private ImplicitAlsRecommender _fitted = null!;
    private Interaction[] _events = [];
    private LiveImplicitAls _live = null!;

    [Params(512, 4096)]
    public int MaxBatchSize { get; set; }

    /// <summary>Whether touched items are re-solved after every micro-batch (otherwise item factors stay the fit's).</summary>
    [Params(false, true)]
    public bool UpdateItems { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        InteractionDataset data = BenchmarkData.MovieLens1MShape();
        _fitted = new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 64, Iterations = 3, Values = MatrixValues.One, DegreeOfParallelism = 2 });
        _fitted.Fit(data);
        var random = new Random(5);
        _events = new Interaction[Events];
        for (int e = 0; e < Events; e++)
        {
            int row = random.Next(data.Count);
            _events[e] = new Interaction(data.Users.GetId(data.UserIndices[row]), data.Items.GetId(random.Next(data.ItemCount)), 1f, DateTimeOffset.UnixEpoch, EventKind.Click);
        }
    }

    [IterationSetup]
    public void Restart() => _live = new LiveImplicitAls(_fitted, new LiveAlsOptions { ItemUpdates = UpdateItems ? ItemUpdatePolicy.EveryBatch : ItemUpdatePolicy.Never });

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task IngestWithFoldIn()
    {
        await using var pipeline = new EventPipeline(new IngestOptions { MaxBatchSize = MaxBatchSize }, _live);
        await pipeline.SubmitAsync(_events);
        await pipeline.FlushAsync();
    }
}
