using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using RecEngine.Data;
using RecEngine.Models.Factorization;
using RecEngine.Models.Neighborhood;

namespace RecEngine.Benchmarks.Persistence;

/// <summary>
/// A whole engine saved and loaded on the synthetic MovieLens-1M shape: live implicit ALS (k = 64) and popularity,
/// optionally with live item-kNN. <see cref="RecommendationEngine.LoadAsync(string, RecommendationEngineOptions, Microsoft.Extensions.Logging.ILogger?, System.Diagnostics.Metrics.IMeterFactory?, CancellationToken)"/>
/// reads the file (1,000,209 interactions with ids, the ALS factors and Gram matrices), rebuilds the live models'
/// indexes from the history and restores their saved state; a model without saved state (item-kNN) computes its
/// neighbours again. Start is training the same engine from the interactions, for the ratio.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class EngineLoadBenchmark
{
    private InteractionDataset _data = null!;
    private RecommendationEngineOptions _options = null!;
    private string _directory = null!;
    private string _path = null!;

    [Params(false, true)]
    public bool WithItemKnn { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = BenchmarkData.MovieLens1MShape();
        _options = BenchmarkData.LiveAlsEngine(ItemUpdatePolicy.EveryBatch);
        _options.Models.Add(EngineModel.Popularity());
        if (WithItemKnn)
        {
            _options.Models.Add(EngineModel.ItemKnn(new NeighborhoodOptions { DegreeOfParallelism = 2 }));
        }

        _directory = Directory.CreateTempSubdirectory("recengine-engineload-").FullName;
        _path = Path.Combine(_directory, "engine.rsnp");
        RecommendationEngine engine = RecommendationEngine.StartAsync(_options, _data).GetAwaiter().GetResult();
        engine.SaveAsync(_path).GetAwaiter().GetResult();
        engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark]
    public async Task Load()
    {
        await using RecommendationEngine engine = await RecommendationEngine.LoadAsync(_path, _options);
    }

    [Benchmark]
    public async Task Start()
    {
        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(_options, _data);
    }
}
