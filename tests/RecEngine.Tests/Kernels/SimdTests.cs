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

    /// <summary>A factor matrix, gathered row indices into it (with repeats), per-row coefficients and a vector.</summary>
    private static readonly Gen<(float[] M, int K, int[] Rows, float[] C, float[] X)> Gathered =
        from k in Generators.Length
        from matrixRows in Gen.Choose(1, 12)
        from count in Gen.Frequency((3, Gen.Choose(0, 40)), (1, Gen.Elements(0, 1, 2, 3, 4, 5)))
        from m in Generators.Vector(matrixRows * k)
        from rows in Gen.ArrayOf(Gen.Choose(0, matrixRows - 1), count)
        from c in Generators.Vector(count)
        from x in Generators.Vector(k)
        select (m, k, rows, c, x);

    private static float RowMagnitude(float[] m, int k, int row, float[] x) => AbsDot(m[(row * k)..((row + 1) * k)], x);

    [Property(MaxTest = 200)]
    public Property MultiplyGatheredRows_EqualsReference_Meets_Specification() =>
        Prop.ForAll(Gathered.ToArbitrary(), c =>
        {
            var actual = new float[c.Rows.Length];
            var expected = new float[c.Rows.Length];
            Simd.MultiplyRows(c.M, c.Rows, c.X, actual);
            Simd.MultiplyRowsScalar(c.M, c.Rows, c.X, expected);
            return Enumerable.Range(0, c.Rows.Length).All(j => Tolerance.Close(actual[j], expected[j], RowMagnitude(c.M, c.K, c.Rows[j], c.X)));
        });

    [Property(MaxTest = 200)]
    public Property MultiplyGatheredRows_EqualsContiguousBitForBit_Meets_Specification() =>
        Prop.ForAll(Gathered.ToArbitrary(), c =>
        {
            // A row's result must not depend on its neighbours (groups of four or the remainder), so re-scoring a few
            // gathered rows reproduces the scores of a contiguous pass exactly.
            int matrixRows = c.K == 0 ? 0 : c.M.Length / c.K;
            var contiguous = new float[c.K == 0 ? 0 : matrixRows];
            if (c.K == 0)
            {
                return true;
            }

            Simd.MultiplyRows(c.M, c.X, contiguous);
            var gathered = new float[c.Rows.Length];
            Simd.MultiplyRows(c.M, c.Rows, c.X, gathered);
            return c.Rows.Select((row, j) => BitConverter.SingleToInt32Bits(gathered[j]) == BitConverter.SingleToInt32Bits(contiguous[row])).All(b => b);
        });

    [Property(MaxTest = 200)]
    public Property AddRowCombination_EqualsReference_Meets_Specification() =>
        Prop.ForAll(Gathered.ToArbitrary(), c =>
        {
            float[] actual = (float[])c.X.Clone();
            float[] expected = (float[])c.X.Clone();
            Simd.AddRowCombination(actual, c.M, c.Rows, c.C);
            Simd.AddRowCombinationScalar(expected, c.M, c.Rows, c.C);
            return Enumerable.Range(0, c.K).All(i =>
                Tolerance.Close(actual[i], expected[i], Math.Abs(c.X[i]) + c.Rows.Select((row, j) => Math.Abs(c.C[j] * c.M[(row * c.K) + i])).Sum()));
        });

    [Property(MaxTest = 200)]
    public Property MultiplyTransposed_EqualsReference_Meets_Specification()
    {
        Gen<(float[] M, float[] X, int K)> cases =
            from rows in Generators.Length
            from k in Gen.Choose(0, 70)
            from m in Generators.Vector(rows * k)
            from x in Generators.Vector(rows)
            select (m, x, k);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var actual = new float[c.K];
            var expected = new float[c.K];
            Simd.MultiplyTransposed(c.M, c.X, actual);
            Simd.MultiplyTransposedScalar(c.M, c.X, expected);
            return Enumerable.Range(0, c.K).All(i =>
                Tolerance.Close(actual[i], expected[i], c.X.Select((v, r) => Math.Abs(v * c.M[(r * c.K) + i])).Sum()));
        });
    }

    [Fact]
    public void GatheredKernels_RowOutsideMatrix_ThrowNamingTheRows()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Simd.MultiplyRows(new float[2 * 16], [0, 2], new float[16], new float[2]));
        Assert.Equal("rows", error.ParamName);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => Simd.AddRowCombination(new float[16], new float[2 * 16], [-1], [1f]));
        Assert.Equal("rows", error.ParamName);
        Assert.Throws<ArgumentException>(() => Simd.AddRowCombination(new float[16], new float[2 * 16], [0, 1], [1f]));
    }

    [Property(MaxTest = 100)]
    public Property AddWeightedOuterProducts_EqualsReference_Meets_Specification() =>
        Prop.ForAll(Gathered.ToArbitrary(), c =>
        {
            var actual = new float[c.K * c.K];
            var expected = new float[c.K * c.K];
            var upper = new float[c.K * c.K];
            Simd.AddWeightedOuterProducts(actual, c.M, c.K, c.Rows, c.C);
            Simd.AddWeightedOuterProducts(upper, c.M, c.K, c.Rows, c.C, upperOnly: true);
            Simd.AddWeightedOuterProductsScalar(expected, c.M, c.K, c.Rows, c.C);
            return Enumerable.Range(0, actual.Length).All(e =>
            {
                int i = e / c.K, j = e % c.K;
                float magnitude = c.Rows.Select((row, r) => Math.Abs(c.C[r] * c.M[(row * c.K) + i] * c.M[(row * c.K) + j])).Sum();
                return Tolerance.Close(actual[e], expected[e], magnitude) && (j < i || Tolerance.Close(upper[e], expected[e], magnitude));
            });
        });

    [Fact]
    public void AddWeightedOuterProducts_RowOutsideMatrix_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Simd.AddWeightedOuterProducts(new float[16 * 16], new float[2 * 16], 16, [0, 1, 2, 0], default));
    }

    [Property(MaxTest = 60)]
    public Property Gram_EqualsReference_AndIsDeterministic()
    {
        Gen<(float[] F, int Rows, int K, int Threads)> cases =
            from rows in Gen.Frequency((3, Gen.Choose(0, 40)), (1, Gen.Choose(500, 1200)))
            from k in Gen.Elements(1, 3, 10, 16, 17, 32, 64, 65)
            from threads in Gen.Choose(1, 3)
            from f in Generators.Vector(rows * k)
            select (f, rows, k, threads);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var actual = new float[c.K * c.K];
            var expected = new float[c.K * c.K];
            Simd.Gram(c.F, c.Rows, c.K, actual, c.Threads);
            Simd.GramScalar(c.F, c.Rows, c.K, expected);
            var again = new float[c.K * c.K];
            Simd.Gram(c.F, c.Rows, c.K, again, c.Threads);
            bool close = Enumerable.Range(0, actual.Length).All(e =>
            {
                int i = e / c.K, j = e % c.K;
                float magnitude = Enumerable.Range(0, c.Rows).Sum(r => Math.Abs(c.F[(r * c.K) + i] * c.F[(r * c.K) + j]));
                return Tolerance.Close(actual[e], expected[e], magnitude);
            });
            return close && actual.SequenceEqual(again);
        });
    }
}
