using BenchmarkDotNet.Attributes;
using RecEngine.Data;
using RecEngine.Models.Factorization;

namespace RecEngine.Benchmarks.Factorization;

/// <summary>
/// A whole implicit-ALS fit of MovieLens 100K (k = 64, 15 iterations, CG with 3 steps, every rating a positive of
/// value 1): the configuration the implicit library is timed with. Uses the real dataset when
/// <c>RECENGINE_DATA</c> is set, else a synthetic dataset of the same shape.
/// </summary>
[MemoryDiagnoser]
public class AlsFitBenchmark
{
    private InteractionDataset _data = null!;
    private ImplicitAlsRecommender _model = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = BenchmarkData.MovieLens100K();
        _model = new ImplicitAlsRecommender(new ImplicitAlsOptions
        {
            Factors = 64,
            Iterations = 15,
            Solver = AlsSolver.ConjugateGradient,
            ConjugateGradientSteps = 3,
            Values = MatrixValues.One,
            DegreeOfParallelism = Threads,
        });
    }

    [Benchmark]
    public void FitMovieLens100K() => _model.Fit(_data);
}
