using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Models.Factorization;

namespace RecEngine.Benchmarks.Ingest;

/// <summary>
/// Sustained ingest through <see cref="RecommendationEngine"/> with live implicit ALS on the synthetic MovieLens-1M
/// shape (k = 64, 2 threads): 100,000 click events (users drawn in proportion to their activity, items uniformly)
/// submitted as one sequence and flushed. Every micro-batch (up to 4,096 events) is added to the engine's history,
/// re-solves each touched user exactly (Cholesky fold-in), then, with item updates, each touched item, and publishes
/// a version; with durability it is first appended to the event log and forced to storage. A new engine (fitted
/// afresh, with an empty data directory) serves every iteration, so state does not grow across iterations. One
/// operation is one event.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class EngineIngestBenchmark
{
    private const int Events = 100_000;

    private InteractionDataset _data = null!;
    private Interaction[] _events = [];
    private RecommendationEngine _engine = null!;
    private string? _directory;

    /// <summary>Whether touched items are re-solved after every micro-batch (otherwise item factors stay the fit's).</summary>
    [Params(false, true)]
    public bool UpdateItems { get; set; }

    /// <summary>Whether every micro-batch is logged and forced to storage before it is applied (per-batch fsync).</summary>
    [Params(false, true)]
    public bool Durable { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = BenchmarkData.MovieLens1MShape();
        var random = new Random(5);
        _events = [.. Enumerable.Range(0, Events).Select(_ => BenchmarkData.RandomClick(_data, random))];
    }

    [IterationSetup]
    public void Restart()
    {
        _directory = Durable ? Directory.CreateTempSubdirectory("recengine-bench-").FullName : null;
        RecommendationEngineOptions options = BenchmarkData.LiveAlsEngine(UpdateItems ? ItemUpdatePolicy.EveryBatch : ItemUpdatePolicy.Never, _directory);
        _engine = RecommendationEngine.StartAsync(options, _data).GetAwaiter().GetResult();
    }

    [IterationCleanup]
    public void Stop()
    {
        _engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task IngestWithFoldIn()
    {
        await _engine.SubmitAsync(_events);
        await _engine.FlushAsync();
    }
}
