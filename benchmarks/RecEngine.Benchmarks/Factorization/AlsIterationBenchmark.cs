using BenchmarkDotNet.Attributes;
using RecEngine.Data;
using RecEngine.Models.Factorization;

namespace RecEngine.Benchmarks.Factorization;

/// <summary>
/// One full implicit-ALS iteration (the user half-step then the item half-step, each with its Gram matrix) on the
/// synthetic MovieLens-1M shape at k = 64: conjugate gradient (3 steps) against the exact Cholesky solver, on one
/// and two threads.
/// </summary>
[MemoryDiagnoser]
public class AlsIterationBenchmark
{
    private ImplicitAlsRecommender.AlsTrainer _trainer = null!;
    private float[] _userFactors = [];
    private float[] _itemFactors = [];
    private float[] _gram = [];

    [Params(AlsSolver.ConjugateGradient, AlsSolver.Cholesky)]
    public AlsSolver Solver { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup() => (_trainer, _userFactors, _itemFactors, _gram) = AlsState.Create(BenchmarkData.MovieLens1MShape(), Solver, Threads);

    [Benchmark]
    public void Iteration()
    {
        _trainer.SolveUsers(_userFactors, _itemFactors, _gram);
        _trainer.SolveItems(_itemFactors, _userFactors, _gram);
    }
}

/// <summary>
/// How one CG iteration (k = 64, 2 threads) grows from the MovieLens-1M shape (1M interactions) to the large shape
/// (10M interactions, 100,000 users, 20,000 items). Few iterations: the large case takes seconds.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class AlsScalingBenchmark
{
    private ImplicitAlsRecommender.AlsTrainer _trainer = null!;
    private float[] _userFactors = [];
    private float[] _itemFactors = [];
    private float[] _gram = [];

    [Params("ml-1m-shape", "large-10m")]
    public string Shape { get; set; } = "ml-1m-shape";

    [GlobalSetup]
    public void Setup()
    {
        InteractionDataset data = Shape == "large-10m" ? BenchmarkData.LargeShape() : BenchmarkData.MovieLens1MShape();
        (_trainer, _userFactors, _itemFactors, _gram) = AlsState.Create(data, AlsSolver.ConjugateGradient, threads: 2);
    }

    [Benchmark]
    public void Iteration()
    {
        _trainer.SolveUsers(_userFactors, _itemFactors, _gram);
        _trainer.SolveItems(_itemFactors, _userFactors, _gram);
    }
}

/// <summary>Training state after one warm-up iteration, so that timed iterations start from realistic factors.</summary>
internal static class AlsState
{
    public static (ImplicitAlsRecommender.AlsTrainer Trainer, float[] Users, float[] Items, float[] Gram) Create(InteractionDataset data, AlsSolver solver, int threads)
    {
        const int k = 64;
        var options = new ImplicitAlsOptions { Factors = k, Solver = solver, DegreeOfParallelism = threads, Values = MatrixValues.One };
        var matrix = InteractionMatrix.Build(data, options.Values, DuplicatePolicy.Sum);
        var trainer = new ImplicitAlsRecommender.AlsTrainer(options, matrix, CancellationToken.None);
        var users = new float[matrix.Rows * k];
        var items = new float[matrix.Columns * k];
        var random = new Random(options.Seed);
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = (float)((random.NextDouble() * 2) - 1) * options.InitialScale;
        }

        var gram = new float[k * k];
        trainer.SolveUsers(users, items, gram);
        trainer.SolveItems(items, users, gram);
        return (trainer, users, items, gram);
    }
}
