using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using RecEngine.Data;
using RecEngine.Models.Content;
using RecEngine.Models.Factorization;
using RecEngine.Models.Neighborhood;
using RecEngine.Persistence;

namespace RecEngine.Benchmarks.Persistence;

/// <summary>
/// Saving and loading fitted models of the synthetic MovieLens-1M shape (6,040 users, 3,706 items, 1,000,209
/// interactions) through <see cref="ModelFile"/> with a file on local storage: implicit ALS (k = 64), item-kNN
/// (cosine, K = 20) and the content model. Load is what a restarted process pays instead of training: reading and
/// checking the file (checksum, every count, index and value) and building the model; the file is in the page
/// cache after the first iteration. Save includes forcing the file to storage and the atomic rename. Fit is the
/// training the load replaces, for the ratio.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class ModelFileBenchmark
{
    private InteractionDataset _data = null!;
    private IRecommender _model = null!;
    private string _directory = null!;
    private string _path = null!;

    [Params("als", "item-knn", "content")]
    public string Model { get; set; } = "als";

    [GlobalSetup]
    public void Setup()
    {
        _data = BenchmarkData.MovieLens1MShape();
        _model = Create();
        _model.Fit(_data);
        _directory = Directory.CreateTempSubdirectory("recengine-modelfile-").FullName;
        _path = Path.Combine(_directory, Model + ".rmdl");
        ModelFile.Save(_model, _path);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark]
    public IRecommender Load() => ModelFile.Load(_path);

    [Benchmark]
    public long Save() => ModelFile.Save(_model, _path);

    [Benchmark]
    public IRecommender Fit()
    {
        IRecommender model = Create();
        model.Fit(_data);
        return model;
    }

    private IRecommender Create() => Model switch
    {
        "als" => new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 64, DegreeOfParallelism = 2 }),
        "item-knn" => new ItemKnnRecommender(new NeighborhoodOptions { DegreeOfParallelism = 2 }),
        _ => new ContentRecommender(),
    };
}
