using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RecEngine.Kernels;

namespace RecEngine.Benchmarks.Kernels;

/// <summary>Dot and axpy at factor-vector lengths: SIMD against the scalar reference (each category's baseline).</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class VectorKernelsBenchmark
{
    private float[] _x = [];
    private float[] _y = [];

    [Params(32, 64, 128, 256)]
    public int K { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _x = Enumerable.Range(0, K).Select(_ => (float)random.NextDouble()).ToArray();
        _y = Enumerable.Range(0, K).Select(_ => (float)random.NextDouble()).ToArray();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Dot")]
    public float DotScalar() => Simd.DotScalar(_x, _y);

    [Benchmark]
    [BenchmarkCategory("Dot")]
    public float Dot() => Simd.Dot(_x, _y);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Axpy")]
    public void AxpyScalar() => Simd.AxpyScalar(1e-6f, _x, _y);

    [Benchmark]
    [BenchmarkCategory("Axpy")]
    public void Axpy() => Simd.Axpy(1e-6f, _x, _y);
}

/// <summary>Scoring one user against every item (row-major factors): SIMD against the scalar reference (baseline).</summary>
[MemoryDiagnoser]
public class MultiplyRowsBenchmark
{
    private float[] _items = [];
    private float[] _user = [];
    private float[] _scores = [];

    [Params(32, 64, 128, 256)]
    public int K { get; set; }

    /// <summary>The MovieLens 1M catalog size.</summary>
    public int Items { get; set; } = 3_706;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(2);
        _items = Enumerable.Range(0, Items * K).Select(_ => (float)random.NextDouble()).ToArray();
        _user = Enumerable.Range(0, K).Select(_ => (float)random.NextDouble()).ToArray();
        _scores = new float[Items];
    }

    [Benchmark(Baseline = true)]
    public void Scalar() => Simd.MultiplyRowsScalar(_items, _user, _scores);

    [Benchmark]
    public void Vectorized() => Simd.MultiplyRows(_items, _user, _scores);
}

/// <summary>
/// Normal-equation building blocks: weighted outer-product accumulation over one user's 165 items (the size
/// of a MovieLens 1M user), the Gram matrix of the 3,706 item factors, and a Cholesky factor and solve.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class NormalEquationsBenchmark
{
    private float[] _factors = [];
    private int[] _rows = [];
    private float[] _weights = [];
    private float[] _accumulator = [];
    private float[] _spd = [];
    private float[] _work = [];
    private float[] _rhs = [];

    [Params(32, 64, 128, 256)]
    public int K { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        const int items = 3_706;
        _factors = Enumerable.Range(0, items * K).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        _rows = Enumerable.Range(0, 165).Select(_ => random.Next(items)).ToArray();
        _weights = Enumerable.Range(0, 165).Select(_ => (float)random.NextDouble()).ToArray();
        _accumulator = new float[K * K];
        _spd = new float[K * K];
        Simd.Gram(_factors, items, K, _spd);
        for (int i = 0; i < K; i++)
        {
            _spd[(i * K) + i] += 1f;
        }

        _work = new float[K * K];
        _rhs = new float[K];
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("OuterProducts")]
    public void OuterProductsScalar() => Simd.AddWeightedOuterProductsScalar(_accumulator, _factors, K, _rows, _weights);

    [Benchmark]
    [BenchmarkCategory("OuterProducts")]
    public void OuterProducts() => Simd.AddWeightedOuterProducts(_accumulator, _factors, K, _rows, _weights);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Gram")]
    public void GramScalar() => Simd.GramScalar(_factors, 3_706, K, _work);

    [Benchmark]
    [BenchmarkCategory("Gram")]
    public void Gram() => Simd.Gram(_factors, 3_706, K, _work);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Cholesky")]
    public bool CholeskyScalarSolve()
    {
        _rhs.AsSpan().Fill(1f);
        return Cholesky.SolveScalar(_spd, K, _rhs);
    }

    [Benchmark]
    [BenchmarkCategory("Cholesky")]
    public void CholeskyFactorSolve()
    {
        _spd.CopyTo(_work, 0);
        Cholesky.Factor(_work, K);
        _rhs.AsSpan().Fill(1f);
        Cholesky.Solve(_work, K, _rhs);
    }
}

/// <summary>
/// The gathered-row kernels of the implicit-ALS conjugate-gradient operator over one user's 165 items among the
/// 3,706 item factors, and the symmetric Gram product: SIMD against the scalar reference (each category's baseline).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class ImplicitOperatorBenchmark
{
    private float[] _factors = [];
    private int[] _rows = [];
    private float[] _coefficients = [];
    private float[] _x = [];
    private float[] _dots = [];
    private float[] _result = [];
    private float[] _gram = [];

    [Params(32, 64, 128, 256)]
    public int K { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(4);
        const int items = 3_706;
        _factors = Enumerable.Range(0, items * K).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        _rows = Enumerable.Range(0, 165).Select(_ => random.Next(items)).ToArray();
        _coefficients = Enumerable.Range(0, 165).Select(_ => (float)random.NextDouble()).ToArray();
        _x = Enumerable.Range(0, K).Select(_ => (float)random.NextDouble()).ToArray();
        _dots = new float[165];
        _result = new float[K];
        _gram = new float[K * K];
        Simd.Gram(_factors, items, K, _gram);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("GatheredDots")]
    public void GatheredDotsScalar() => Simd.MultiplyRowsScalar(_factors, _rows, _x, _dots);

    [Benchmark]
    [BenchmarkCategory("GatheredDots")]
    public void GatheredDots() => Simd.MultiplyRows(_factors, _rows, _x, _dots);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("RowCombination")]
    public void RowCombinationScalar() => Simd.AddRowCombinationScalar(_result, _factors, _rows, _coefficients);

    [Benchmark]
    [BenchmarkCategory("RowCombination")]
    public void RowCombination() => Simd.AddRowCombination(_result, _factors, _rows, _coefficients);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("GramProduct")]
    public void GramProductScalar() => Simd.MultiplyTransposedScalar(_gram, _x, _result);

    [Benchmark]
    [BenchmarkCategory("GramProduct")]
    public void GramProduct() => Simd.MultiplyTransposed(_gram, _x, _result);
}
