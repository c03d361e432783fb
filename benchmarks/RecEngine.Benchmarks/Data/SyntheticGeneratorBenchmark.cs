using BenchmarkDotNet.Attributes;
using RecEngine.Data;
using RecEngine.Data.Synthetic;

namespace RecEngine.Benchmarks.Data;

/// <summary>
/// Generation of the MovieLens-1M shape (6,040 users, 3,706 items, 1,000,209 interactions) on one thread (the
/// baseline) and on every core. The dataset is identical in both; only the time differs.
/// </summary>
[MemoryDiagnoser]
public class SyntheticGeneratorBenchmark
{
    private SyntheticDatasetOptions _oneThread = null!;
    private SyntheticDatasetOptions _allCores = null!;

    [Params(SyntheticFeedback.Ratings, SyntheticFeedback.ImplicitEvents)]
    public SyntheticFeedback Feedback { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _oneThread = SyntheticDatasetOptions.MovieLens1MShape();
        _oneThread.Feedback = Feedback;
        _oneThread.MaxDegreeOfParallelism = 1;
        _allCores = SyntheticDatasetOptions.MovieLens1MShape();
        _allCores.Feedback = Feedback;
    }

    [Benchmark(Baseline = true)]
    public InteractionDataset MovieLens1MShape_OneThread() => SyntheticDatasetGenerator.Generate(_oneThread);

    [Benchmark]
    public InteractionDataset MovieLens1MShape_AllCores() => SyntheticDatasetGenerator.Generate(_allCores);
}
