using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RecEngine.Evaluation;
using RecEngine.Kernels;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Kernels;

/// <summary>The layer products against their scalar references over batch 0..9, widths 1..70 and the real widths.</summary>
public sealed class GemmTests
{
    /// <summary>Widths 1..70 (every edge of 4-, 8- and 16-float vectors) and the scorer's real ones.</summary>
    public static readonly int[] Widths = [.. Enumerable.Range(1, 70), 123];

    /// <summary>Shared dimensions: short chains, odd ones and the real layer widths.</summary>
    private static readonly int[] Depths = [0, 1, 2, 3, 5, 17, 32, 64, 123];

    /// <summary>Guard values around every output, to catch a store outside the matrix.</summary>
    private const int Guard = 24;

    private static float[] Values(int count, ulong seed)
    {
        var random = new SplitMix64(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)((2 * random.NextDouble()) - 1))];
    }

    /// <summary>An output buffer with <see cref="Guard"/> sentinel values on each side.</summary>
    private static float[] Guarded(float[] inner)
    {
        var buffer = new float[inner.Length + (2 * Guard)];
        Array.Fill(buffer, float.NaN);
        inner.CopyTo(buffer, Guard);
        return buffer;
    }

    private static bool GuardsIntact(float[] buffer) =>
        buffer.AsSpan(0, Guard).ToArray().All(float.IsNaN) && buffer.AsSpan(buffer.Length - Guard).ToArray().All(float.IsNaN);

    private static void AssertMultiplyMatches(int m, int k, int n, bool withBias, ulong seed)
    {
        float[] a = Values(m * k, seed), b = Values(k * n, seed + 1), bias = withBias ? Values(n, seed + 2) : [];
        float[] expected = new float[m * n];
        Gemm.MultiplyScalar(a, b, bias, expected, m, k, n);
        float[] actual = Guarded(Values(m * n, seed + 3));
        Gemm.Multiply(a, b, bias, actual.AsSpan(Guard, m * n), m, k, n);
        Assert.True(GuardsIntact(actual), $"{m} x {k} x {n}: a store left the matrix");
        for (int r = 0; r < m; r++)
        {
            for (int j = 0; j < n; j++)
            {
                float magnitude = (withBias ? Math.Abs(bias[j]) : 0) + Enumerable.Range(0, k).Sum(p => Math.Abs(a[(r * k) + p] * b[(p * n) + j]));
                float got = actual[Guard + (r * n) + j], want = expected[(r * n) + j];
                Assert.True(Tolerance.Close(got, want, magnitude), $"{m} x {k} x {n} at ({r}, {j}): {got} against {want}");
            }
        }
    }

    [Fact]
    public void Multiply_EqualsReference_OnEveryBatchAndWidth()
    {
        foreach (int n in Widths)
        {
            foreach (int k in Depths)
            {
                for (int m = 0; m <= 9; m++)
                {
                    AssertMultiplyMatches(m, k, n, withBias: (m + n) % 2 == 0, (ulong)((n * 1000) + (k * 10) + m));
                }
            }
        }
    }

    [Theory]
    [InlineData(256, 123, 64)]
    [InlineData(256, 64, 32)]
    [InlineData(256, 32, 1)]
    [InlineData(255, 1, 32)]
    [InlineData(7, 32, 64)]
    [InlineData(9, 64, 123)]
    public void Multiply_EqualsReference_AtTheScorersLayerShapes(int m, int k, int n)
    {
        AssertMultiplyMatches(m, k, n, withBias: true, 5);
        AssertMultiplyMatches(m, k, n, withBias: false, 6);
    }

    private static void AssertTransposedProductMatches(int m, int k, int n, ulong seed)
    {
        float[] a = Values(m * k, seed), b = Values(m * n, seed + 1), start = Values(k * n, seed + 2);
        float[] expected = (float[])start.Clone();
        Gemm.AddTransposedProductScalar(a, b, expected, m, k, n);
        float[] actual = Guarded(start);
        Gemm.AddTransposedProduct(a, b, actual.AsSpan(Guard, k * n), m, k, n);
        Assert.True(GuardsIntact(actual), $"{m} x {k} x {n}: a store left the matrix");
        for (int r = 0; r < k; r++)
        {
            for (int j = 0; j < n; j++)
            {
                float magnitude = Math.Abs(start[(r * n) + j]) + Enumerable.Range(0, m).Sum(p => Math.Abs(a[(p * k) + r] * b[(p * n) + j]));
                float got = actual[Guard + (r * n) + j], want = expected[(r * n) + j];
                Assert.True(Tolerance.Close(got, want, magnitude), $"{m} x {k} x {n} at ({r}, {j}): {got} against {want}");
            }
        }
    }

    [Fact]
    public void AddTransposedProduct_EqualsReference_OnEveryBatchAndWidth()
    {
        int[] outputs = [1, 2, 3, 4, 5, 7, 32, 64];
        foreach (int n in Widths)
        {
            foreach (int k in outputs)
            {
                for (int m = 0; m <= 9; m++)
                {
                    AssertTransposedProductMatches(m, k, n, (ulong)((n * 1000) + (k * 10) + m));
                }
            }
        }
    }

    [Theory]
    [InlineData(256, 64, 123)]
    [InlineData(256, 32, 64)]
    [InlineData(256, 1, 32)]
    [InlineData(13, 64, 123)]
    public void AddTransposedProduct_EqualsReference_AtTheScorersLayerShapes(int m, int k, int n) => AssertTransposedProductMatches(m, k, n, 7);

    [Fact]
    public void AddColumnSums_EqualsReference_OnEveryBatchAndWidth()
    {
        foreach (int n in Widths)
        {
            for (int m = 0; m <= 9; m++)
            {
                float[] a = Values(m * n, (ulong)((n * 100) + m)), start = Values(n, (ulong)n);
                float[] expected = (float[])start.Clone();
                Gemm.AddColumnSumsScalar(a, m, expected);
                float[] actual = Guarded(start);
                Gemm.AddColumnSums(a, m, actual.AsSpan(Guard, n));
                Assert.True(GuardsIntact(actual));
                for (int j = 0; j < n; j++)
                {
                    float magnitude = Math.Abs(start[j]) + Enumerable.Range(0, m).Sum(r => Math.Abs(a[(r * n) + j]));
                    Assert.True(Tolerance.Close(actual[Guard + j], expected[j], magnitude), $"{m} x {n} at {j}");
                }
            }
        }
    }

    [Fact]
    public void Transpose_SwapsRowsAndColumns()
    {
        foreach (int rows in new[] { 0, 1, 3, 32, 64 })
        {
            foreach (int columns in new[] { 1, 5, 32, 123 })
            {
                float[] source = Values(rows * columns, 3);
                var destination = new float[rows * columns];
                Gemm.Transpose(source, rows, columns, destination);
                for (int r = 0; r < rows; r++)
                {
                    for (int c = 0; c < columns; c++)
                    {
                        Assert.Equal(source[(r * columns) + c], destination[(c * rows) + r]);
                    }
                }
            }
        }
    }

    [Property(MaxTest = 100)]
    public Property Multiply_ARowsResult_DoesNotDependOnTheBatch() =>
        Prop.ForAll(
            (from m in Gen.Choose(1, 12) from seed in Gen.Choose(0, 1_000_000) select (m, seed)).ToArbitrary(),
            Gen.Elements(1, 3, 8, 17, 64, 123).ToArbitrary(),
            Gen.Elements(1, 2, 5, 16, 31, 32, 64).ToArbitrary(),
            (shape, k, n) =>
            {
                (int m, int seed) = shape;

                // Rows are split across threads in training: a row computed alone must equal the same row in a block.
                float[] a = Values(m * k, (ulong)seed), b = Values(k * n, (ulong)seed + 1), bias = Values(n, (ulong)seed + 2);
                var whole = new float[m * n];
                Gemm.Multiply(a, b, bias, whole, m, k, n);
                var alone = new float[n];
                return Enumerable.Range(0, m).All(r =>
                {
                    Gemm.Multiply(a.AsSpan(r * k, k), b, bias, alone, 1, k, n);
                    return alone.AsSpan().SequenceEqual(whole.AsSpan(r * n, n));
                });
            });

    [Property(MaxTest = 100)]
    public Property AddTransposedProduct_OfTwoHalves_EqualsTheWholeBatch() =>
        Prop.ForAll(
            (from m in Gen.Choose(0, 12) from seed in Gen.Choose(0, 1_000_000) select (m, seed)).ToArbitrary(),
            Gen.Elements(1, 4, 32, 64).ToArbitrary(),
            Gen.Elements(1, 7, 16, 33, 123).ToArbitrary(),
            (shape, k, n) =>
            {
                (int m, int seed) = shape;
                float[] a = Values(m * k, (ulong)seed), b = Values(m * n, (ulong)seed + 1);
                var whole = new float[k * n];
                Gemm.AddTransposedProduct(a, b, whole, m, k, n);
                var halves = new float[k * n];
                int h = m / 2;
                Gemm.AddTransposedProduct(a.AsSpan(0, h * k), b.AsSpan(0, h * n), halves, h, k, n);
                Gemm.AddTransposedProduct(a.AsSpan(h * k), b.AsSpan(h * n), halves, m - h, k, n);

                // Accumulating from the old value continues the same chain: the halves reproduce the whole exactly.
                return whole.AsSpan().SequenceEqual(halves);
            });

    [Fact]
    public void WrongShapes_Throw()
    {
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[5], new float[6], default, new float[4], 2, 3, 2)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[6], new float[6], new float[3], new float[4], 2, 3, 2)).ParamName);
        Assert.Equal("c", Assert.Throws<ArgumentException>(() => Gemm.AddTransposedProduct(new float[6], new float[4], new float[5], 2, 3, 2)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => Gemm.AddColumnSums(new float[5], 2, new float[3])).ParamName);
    }
}
