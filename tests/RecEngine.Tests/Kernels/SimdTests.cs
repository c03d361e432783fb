using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RecEngine.Kernels;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Kernels;

public sealed class SimdTests
{
    private static readonly Gen<(float[] X, float[] Y, float A)> Pairs =
        from n in Generators.Length
        from x in Generators.Vector(n)
        from y in Generators.Vector(n)
        from a in Generators.FiniteFloat
        select (x, y, a);

    private static float AbsDot(float[] x, float[] y) => x.Zip(y, (p, q) => Math.Abs(p * q)).Sum();

    [Property(MaxTest = 300)]
    public Property Dot_EqualsReference_Meets_Specification() =>
        Prop.ForAll(Pairs.ToArbitrary(), c => Tolerance.Close(Simd.Dot(c.X, c.Y), Simd.DotScalar(c.X, c.Y), AbsDot(c.X, c.Y)));

    [Property(MaxTest = 300)]
    public Property Dot_IsSymmetric() =>
        Prop.ForAll(Pairs.ToArbitrary(), c => Simd.Dot(c.X, c.Y) == Simd.Dot(c.Y, c.X));

    [Property(MaxTest = 300)]
    public Property Axpy_EqualsReference_Meets_Specification() =>
        Prop.ForAll(Pairs.ToArbitrary(), c =>
        {
            float[] expected = (float[])c.Y.Clone();
            float[] actual = (float[])c.Y.Clone();
            Simd.AxpyScalar(c.A, c.X, expected);
            Simd.Axpy(c.A, c.X, actual);
            return actual.Zip(expected, c.X).All(t => Tolerance.Close(t.First, t.Second, Math.Abs(c.A * t.Third) + Math.Abs(t.Second)));
        });

    [Property(MaxTest = 200)]
    public Property ScaleAndMultiplyAdd_EqualReference_Meets_Specification() =>
        Prop.ForAll(Pairs.ToArbitrary(), c =>
        {
            var scaled = new float[c.X.Length];
            var scaledReference = new float[c.X.Length];
            Simd.Scale(c.A, c.X, scaled);
            Simd.ScaleScalar(c.A, c.X, scaledReference);
            var fused = new float[c.X.Length];
            var fusedReference = new float[c.X.Length];
            Simd.MultiplyAdd(c.X, c.Y, c.Y, fused);
            Simd.MultiplyAddScalar(c.X, c.Y, c.Y, fusedReference);
            return scaled.SequenceEqual(scaledReference) && fused.SequenceEqual(fusedReference);
        });

    [Fact]
    public void Dot_MismatchedLengths_Throws()
    {
        Assert.Throws<ArgumentException>(() => Simd.Dot(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => Simd.DotScalar(new float[3], new float[4]));
    }

    [Property(MaxTest = 200)]
    public Property MultiplyRows_EqualsReference_Meets_Specification()
    {
        Gen<(float[] M, float[] X, int Rows)> cases =
            from rows in Gen.Choose(0, 11)
            from columns in Generators.Length
            from m in Generators.Vector(rows * columns)
            from x in Generators.Vector(columns)
            select (m, x, rows);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var actual = new float[c.Rows];
            var expected = new float[c.Rows];
            Simd.MultiplyRows(c.M, c.X, actual);
            Simd.MultiplyRowsScalar(c.M, c.X, expected);
            int columns = c.X.Length;
            return Enumerable.Range(0, c.Rows).All(r =>
                Tolerance.Close(actual[r], expected[r], AbsDot(c.M[(r * columns)..((r + 1) * columns)], c.X)));
        });
    }

    [Fact]
    public void MultiplyRows_WrongMatrixSize_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => Simd.MultiplyRows(new float[10], new float[4], new float[3]));
        Assert.Equal("matrix", error.ParamName);
    }

    [Theory]
    [InlineData(16, 0)]
    [InlineData(16, 7)]
    [InlineData(64, 13)]
    [InlineData(10, 9)]
    [InlineData(3, 5)]
    public void AddWeightedOuterProducts_EqualsReference(int k, int count)
    {
        var random = new Random(k * 100 + count);
        float[] factors = RandomArrays.Vector(random, 20 * k);
        int[] rows = Enumerable.Range(0, count).Select(_ => random.Next(20)).ToArray();
        float[] weights = RandomArrays.Vector(random, count);
        float[] actual = RandomArrays.Vector(random, k * k);
        float[] expected = (float[])actual.Clone();
        Simd.AddWeightedOuterProducts(actual, factors, k, rows, weights);
        Simd.AddWeightedOuterProductsScalar(expected, factors, k, rows, weights);
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.True(Tolerance.Close(actual[i], expected[i], count + 1, 1e-5f), $"entry {i}: {actual[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void AddWeightedOuterProducts_RowOutsideMatrix_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Simd.AddWeightedOuterProducts(new float[16 * 16], new float[2 * 16], 16, [0, 1, 2, 0], default));
    }

    [Theory]
    [InlineData(5, 16, 1)]
    [InlineData(1000, 64, 1)]
    [InlineData(1000, 64, 2)]
    [InlineData(777, 10, 2)]
    public void Gram_EqualsReference(int rows, int k, int threads)
    {
        var random = new Random(rows + k);
        float[] factors = RandomArrays.Vector(random, rows * k);
        var actual = new float[k * k];
        var expected = new float[k * k];
        Simd.Gram(factors, rows, k, actual, threads);
        Simd.GramScalar(factors, rows, k, expected);
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.True(Tolerance.Close(actual[i], expected[i], rows, 1e-5f), $"entry {i}: {actual[i]} vs {expected[i]}");
        }

        // Deterministic for a fixed thread count.
        var again = new float[k * k];
        Simd.Gram(factors, rows, k, again, threads);
        Assert.Equal(actual, again);
    }

    [Theory]
    [InlineData(16, 0)]
    [InlineData(16, 9)]
    [InlineData(64, 40)]
    [InlineData(12, 7)]
    [InlineData(1, 3)]
    public void AddProjections_EqualsReference(int k, int count)
    {
        var random = new Random((k * 31) + count);
        float[] factors = RandomArrays.Vector(random, 25 * k);
        int[] rows = Enumerable.Range(0, count).Select(_ => random.Next(25)).ToArray();
        float[] weights = RandomArrays.Vector(random, count);
        if (count > 2)
        {
            weights[1] = 0f; // skipped rows
        }

        float[] p = RandomArrays.Vector(random, k);
        float[] actual = RandomArrays.Vector(random, k);
        float[] expected = (float[])actual.Clone();
        Simd.AddProjections(actual, factors, rows, weights, p);
        Simd.AddProjectionsScalar(expected, factors, rows, weights, p);
        for (int i = 0; i < k; i++)
        {
            Assert.True(Tolerance.Close(actual[i], expected[i], k * (count + 1), 1e-5f), $"entry {i}: {actual[i]} vs {expected[i]}");
        }
    }
}
