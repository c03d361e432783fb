using RecEngine.Data.Synthetic;

namespace RecEngine.Tests.Data.Synthetic;

public sealed class Xoshiro256Tests
{
    [Fact]
    public void NextUInt64_FromState1234_MatchesTheReferenceImplementation()
    {
        // Outputs of the authors' xoshiro256starstar.c from the state {1, 2, 3, 4}.
        var random = Xoshiro256.FromState(1, 2, 3, 4);
        ulong[] expected = [11520, 0, 1509978240, 1215971899390074240, 1216172134540287360, 607988272756665600];

        Assert.Equal(expected, expected.Select(_ => random.NextUInt64()).ToArray());
    }

    [Fact]
    public void Constructor_DifferentStreams_GiveDifferentSequences()
    {
        var a = new Xoshiro256(42, 1, 0);
        var b = new Xoshiro256(42, 2, 0);
        var c = new Xoshiro256(42, 1, 1);
        var d = new Xoshiro256(43, 1, 0);
        var again = new Xoshiro256(42, 1, 0);

        ulong first = a.NextUInt64();
        Assert.Equal(first, again.NextUInt64());
        Assert.NotEqual(first, b.NextUInt64());
        Assert.NotEqual(first, c.NextUInt64());
        Assert.NotEqual(first, d.NextUInt64());
    }

    [Fact]
    public void NextInt_IsUniform()
    {
        var random = new Xoshiro256(1, 0, 0);
        var counts = new int[7];
        const int draws = 70_000;
        for (int k = 0; k < draws; k++)
        {
            counts[random.NextInt(7)]++;
        }

        // Chi-square with 6 degrees of freedom: 22.5 is the 0.999 quantile.
        double chiSquare = counts.Sum(c => Math.Pow(c - (draws / 7.0), 2) / (draws / 7.0));
        Assert.True(chiSquare < 22.5, $"Chi-square {chiSquare:F1}.");
    }

    [Fact]
    public void NextUInt64_WithBound_StaysBelowTheBound()
    {
        var random = new Xoshiro256(2, 0, 0);
        ulong[] bounds = [1, 2, 3, 1UL << 40, (1UL << 63) + 12345];
        foreach (ulong bound in bounds)
        {
            for (int k = 0; k < 1000; k++)
            {
                Assert.True(random.NextUInt64(bound) < bound);
            }
        }
    }

    [Fact]
    public void NextDouble_IsInTheUnitIntervalWithMeanOneHalf()
    {
        var random = new Xoshiro256(3, 0, 0);
        double sum = 0;
        for (int k = 0; k < 100_000; k++)
        {
            double x = random.NextDouble();
            Assert.InRange(x, 0.0, Math.BitDecrement(1.0));
            sum += x;
        }

        Assert.Equal(0.5, sum / 100_000, 0.005);
    }

    [Fact]
    public void NextNormal_HasMeanZeroAndVarianceOne()
    {
        var random = new Xoshiro256(4, 0, 0);
        double[] x = Enumerable.Range(0, 100_000).Select(_ => random.NextNormal()).ToArray();

        Assert.Equal(0.0, x.Average(), 0.02);
        Assert.Equal(1.0, x.Select(v => v * v).Average(), 0.02);
    }

    [Fact]
    public void NextExponential_HasMeanOne()
    {
        var random = new Xoshiro256(5, 0, 0);
        double[] x = Enumerable.Range(0, 100_000).Select(_ => random.NextExponential()).ToArray();

        Assert.All(x, v => Assert.True(v >= 0));
        Assert.Equal(1.0, x.Average(), 0.02);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void NextLogGamma_ExponentiatedHasTheGammaMeanAndVariance(double shape)
    {
        var random = new Xoshiro256(6, 0, 0);
        double[] x = Enumerable.Range(0, 200_000).Select(_ => Math.Exp(random.NextLogGamma(shape))).ToArray();
        double mean = x.Average();
        double variance = x.Select(v => (v - mean) * (v - mean)).Average();

        // Gamma(shape, 1) has mean and variance equal to the shape.
        Assert.Equal(shape, mean, shape * 0.03);
        Assert.Equal(shape, variance, shape * 0.1);
    }
}
