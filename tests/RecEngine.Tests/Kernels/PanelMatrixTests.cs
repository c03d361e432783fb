using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RecEngine.Kernels;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Kernels;

public sealed class PanelMatrixTests
{
    [Property(MaxTest = 150)]
    public Property Multiply_EqualsRowMajorReference_Meets_Specification()
    {
        // Row counts around the 128-row panel (0, 1, 127, 128, 129, ...) and any column count.
        Gen<(float[] M, float[] X, int Rows)> cases =
            from rows in Gen.Frequency((2, Gen.Choose(0, 300)), (1, Gen.Elements(0, 1, 127, 128, 129, 255, 256, 257)))
            from columns in Gen.Choose(0, 70)
            from m in Generators.Vector(rows * columns)
            from x in Generators.Vector(columns)
            select (m, x, rows);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            int columns = c.X.Length;
            var panels = PanelMatrix.FromRows(c.M, c.Rows, columns);
            var actual = new float[c.Rows + 3];
            actual.AsSpan().Fill(-1f);
            var expected = new float[c.Rows];
            panels.Multiply(c.X, actual);
            Simd.MultiplyRowsScalar(c.M, c.X, expected);
            bool close = Enumerable.Range(0, c.Rows).All(r =>
                Tolerance.Close(actual[r], expected[r], c.X.Select((v, f) => Math.Abs(v * c.M[(r * columns) + f])).Sum()));
            bool untouched = actual[c.Rows..].All(v => v == -1f);
            return close && untouched;
        });
    }

    [Fact]
    public void FromRows_WrongShape_AndMultiply_WrongLengths_Throw()
    {
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => PanelMatrix.FromRows(new float[10], 3, 4)).ParamName);
        var panels = PanelMatrix.FromRows(new float[12], 3, 4);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => panels.Multiply(new float[3], new float[3])).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => panels.Multiply(new float[4], new float[2])).ParamName);
    }
}
