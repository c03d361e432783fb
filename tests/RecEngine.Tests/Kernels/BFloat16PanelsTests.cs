using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RecEngine.Kernels;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Kernels;

public sealed class BFloat16PanelsTests
{
    /// <summary>Values over several orders of magnitude, so rows mix large and tiny entries and rounding matters.</summary>
    private static readonly Gen<float> Value =
        from mantissa in Gen.Choose(-1_000_000, 1_000_000)
        from exponent in Gen.Choose(-12, 6)
        select MathF.ScaleB(mantissa / 1_000_000f, exponent);

    private static readonly Gen<(float[] M, int Rows, int Columns, float[] X, int Start, int Length)> Cases =
        from columns in Gen.Frequency((3, Gen.Choose(1, 80)), (2, Gen.Elements(1, 2, 3, 15, 16, 17, 63, 64, 65, 128)))
        from rows in Gen.Frequency((3, Gen.Choose(0, 150)), (1, Gen.Elements(0, 1, 15, 16, 17, 63, 64, 65, 129)))
        from m in Gen.ArrayOf(Value, rows * columns)
        from x in Gen.ArrayOf(Value, columns)
        from startPanel in Gen.Choose(0, rows / BFloat16Panels.PanelRows)
        let start = Math.Min(startPanel * BFloat16Panels.PanelRows, rows)
        from length in Gen.Choose(0, rows - start)
        select (m, rows, columns, x, start, length);

    [Property(MaxTest = 300)]
    public Property Bounds_ContainTheExactScoresOfEveryKernel_Meets_Specification() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            BFloat16Panels panels = BFloat16Panels.TryCreate(c.M, c.Rows, c.Columns)!;
            float scale = BFloat16Panels.Scale(c.X);
            var simd = new float[c.Rows];
            var scalar = new float[c.Rows];
            Simd.MultiplyRows(c.M, c.X, simd);
            Simd.MultiplyRowsScalar(c.M, c.X, scalar);
            var lower = new float[c.Length];
            var upper = new float[c.Length];
            var lowerReference = new float[c.Length];
            var upperReference = new float[c.Length];
            panels.Bounds(c.X, scale, c.Start, lower, upper);
            panels.BoundsScalar(c.X, scale, c.Start, lowerReference, upperReference);
            return Enumerable.Range(0, c.Length).All(j =>
            {
                int row = c.Start + j;
                return lower[j] <= simd[row] && simd[row] <= upper[j] && lower[j] <= scalar[row] && scalar[row] <= upper[j]
                    && lowerReference[j] <= simd[row] && simd[row] <= upperReference[j];
            });
        });

    [Fact]
    public void Bounds_HandExample_AreTightAroundExactlyRepresentableRows()
    {
        // Rows exactly representable in bfloat16 have no quantisation error: the interval is only rounding slack.
        float[] m = [1f, 2f, 0.5f, -0.25f, 3f, 0f];
        BFloat16Panels panels = BFloat16Panels.TryCreate(m, rows: 2, columns: 3)!;
        float[] x = [1f, 1f, 2f];
        var lower = new float[2];
        var upper = new float[2];
        panels.Bounds(x, BFloat16Panels.Scale(x), 0, lower, upper);
        Assert.InRange(4f, lower[0], upper[0]);
        Assert.InRange(2.75f, lower[1], upper[1]);
        Assert.True(upper[0] - lower[0] < 1e-4f, $"{lower[0]}..{upper[0]}");
        Assert.True(upper[1] - lower[1] < 1e-4f, $"{lower[1]}..{upper[1]}");
    }

    [Fact]
    public void Radius_IsAboutTheRelativePrecisionOfBFloat16()
    {
        // 1 + 2⁻¹⁰ rounds to 1 in bfloat16 (8 significant bits): the error 2⁻¹⁰ must be in the radius, and the radius
        // must not be much wider.
        float[] m = [1f + MathF.ScaleB(1, -10)];
        BFloat16Panels panels = BFloat16Panels.TryCreate(m, rows: 1, columns: 1)!;
        Assert.InRange(panels.Radius(0), MathF.ScaleB(1, -10), MathF.ScaleB(1, -9));
    }

    [Fact]
    public void TryCreate_NonFiniteValue_ReturnsNull()
    {
        Assert.Null(BFloat16Panels.TryCreate([1f, float.NaN], rows: 1, columns: 2));
        Assert.Null(BFloat16Panels.TryCreate([float.PositiveInfinity], rows: 1, columns: 1));
        Assert.Null(BFloat16Panels.TryCreate([float.MaxValue], rows: 1, columns: 1)); // rounds to infinity in bfloat16
        Assert.True(float.IsNaN(BFloat16Panels.Scale([1f, float.NaN])));
    }

    [Fact]
    public void Bounds_BadShapes_ThrowNamingTheArgument()
    {
        BFloat16Panels panels = BFloat16Panels.TryCreate(new float[40 * 4], rows: 40, columns: 4)!;
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => panels.Bounds(new float[3], 1f, 0, new float[4], new float[4])).ParamName);
        Assert.Equal("start", Assert.Throws<ArgumentException>(() => panels.Bounds(new float[4], 1f, 8, new float[4], new float[4])).ParamName);
        Assert.Equal("start", Assert.Throws<ArgumentException>(() => panels.Bounds(new float[4], 1f, 32, new float[9], new float[9])).ParamName);
        Assert.Equal("upper", Assert.Throws<ArgumentException>(() => panels.Bounds(new float[4], 1f, 0, new float[4], new float[3])).ParamName);
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => BFloat16Panels.TryCreate(new float[5], rows: 2, columns: 3)).ParamName);
    }
}
