using RecEngine.Models.Neural;

namespace RecEngine.Tests.Models.Neural;

public sealed class LossAndOptimizerTests
{
    [Fact]
    public void BinaryCrossEntropy_HandComputed_AndStableForLargeLogits()
    {
        Assert.Equal(Math.Log(2), Losses.BinaryCrossEntropy(0.0, 1.0, out double g), 12);
        Assert.Equal(-0.5, g, 12);

        // z = 2, y = 0: log(1 + e^2) = 2.126928011; gradient σ(2) = 0.880797078.
        Assert.Equal(2.126928011042972, Losses.BinaryCrossEntropy(2.0, 0.0, out g), 12);
        Assert.Equal(0.8807970779778823, g, 12);

        Assert.Equal(100f, Losses.BinaryCrossEntropy(100f, 0f, out float large), 3);
        Assert.Equal(1f, large);
        Assert.Equal(0f, Losses.BinaryCrossEntropy(100f, 1f, out large), 6);
        Assert.Equal(0f, large);
        Assert.Equal(100f, Losses.BinaryCrossEntropy(-100f, 1f, out large), 3);
        Assert.Equal(-1f, large);
    }

    [Fact]
    public void Bpr_HandComputed_AndItsGradientsAreOpposite()
    {
        // z+ = 2, z- = 1: −log σ(1) = log(1 + e^−1) = 0.313261687; ∂/∂z+ = σ(1) − 1 = −0.268941421.
        Assert.Equal(0.31326168751822286, Losses.Bpr(2.0, 1.0, out double positive, out double negative), 12);
        Assert.Equal(-0.2689414213699951, positive, 12);
        Assert.Equal(0.2689414213699951, negative, 12);
    }

    [Theory]
    [InlineData(-3.0, 0.0)]
    [InlineData(-0.4, 1.0)]
    [InlineData(0.7, 0.0)]
    [InlineData(5.0, 1.0)]
    public void LossGradients_MatchCentralDifferences(double z, double y)
    {
        const double h = 1e-6;
        Losses.BinaryCrossEntropy(z, y, out double gradient);
        double numeric = (Losses.BinaryCrossEntropy(z + h, y, out _) - Losses.BinaryCrossEntropy(z - h, y, out _)) / (2 * h);
        Assert.Equal(numeric, gradient, 8);

        Losses.Bpr(z, y, out double positive, out double negative);
        Assert.Equal((Losses.Bpr(z + h, y, out _, out _) - Losses.Bpr(z - h, y, out _, out _)) / (2 * h), positive, 8);
        Assert.Equal((Losses.Bpr(z, y + h, out _, out _) - Losses.Bpr(z, y - h, out _, out _)) / (2 * h), negative, 8);
    }

    [Fact]
    public void AdamW_FirstStep_IsTheHandComputedOne()
    {
        // θ = 1, g = 0.5, η = 0.1, λ = 0.01: m̂ = 0.5, v̂ = 0.25, so θ ← 1 − 0.1 · 0.5 / 0.5 − 0.1 · 0.01 · 1 = 0.899.
        var optimizer = new AdamW<double>(1);
        double[] theta = [1.0];
        optimizer.Advance();
        optimizer.Update(theta, [0.5], new AdamSettings(0.1, 0.01, Epsilon: 0));
        Assert.Equal(0.899, theta[0], 12);

        // Second step with g = −0.5: m = 0.9·0.05 − 0.05 = −0.005, m̂ = −0.005/0.19; v = 0.999·0.00025 + 0.00025,
        // v̂ = v / (1 − 0.999²).
        optimizer.Advance();
        optimizer.Update(theta, [-0.5], new AdamSettings(0.1, 0.01, Epsilon: 0));
        double m = -0.005 / (1 - (0.9 * 0.9));
        double v = ((0.999 * 0.00025) + 0.00025) / (1 - (0.999 * 0.999));
        Assert.Equal(0.899 - (0.1 * m / Math.Sqrt(v)) - (0.1 * 0.01 * 0.899), theta[0], 12);
    }

    [Fact]
    public void AdamW_StepRows_TouchesOnlyTheGivenRows()
    {
        var optimizer = new AdamW<float>(12);
        float[] table = [.. Enumerable.Repeat(1f, 12)];
        float[] gradients = [.. Enumerable.Repeat(0.5f, 12)];
        optimizer.Advance();
        optimizer.StepRows(table, gradients, [2, 0], 3, new AdamSettings(0.1, 0));

        Assert.Equal([0.9f, 0.9f, 0.9f, 1f, 1f, 1f, 0.9f, 0.9f, 0.9f, 1f, 1f, 1f], table, (a, b) => Math.Abs(a - b) < 1e-6f);
        Assert.All(optimizer.Moments.First.AsSpan(3, 3).ToArray(), m => Assert.Equal(0f, m));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(1_000)]
    public void AdamW_VectorUpdate_GivesTheBitsOfTheScalarReference(int size)
    {
        // Sizes below, at and past whole vectors (with a scalar tail), over several steps so that the moments differ.
        var random = new Random(size);
        var vector = new AdamW<float>(size);
        var scalar = new AdamW<float>(size);
        float[] a = [.. Enumerable.Range(0, size).Select(_ => (float)(random.NextDouble() - 0.5))];
        float[] b = [.. a];
        var settings = new AdamSettings(0.01, 0.05);
        for (int step = 0; step < 5; step++)
        {
            float[] gradients = [.. Enumerable.Range(0, size).Select(_ => (float)((random.NextDouble() - 0.5) * 3))];
            vector.Advance();
            scalar.Advance();
            vector.Update(a, gradients, settings);
            scalar.UpdateReference(b, gradients, settings);
        }

        Assert.Equal(b, a);
        Assert.Equal(scalar.Moments.First, vector.Moments.First);
        Assert.Equal(scalar.Moments.Second, vector.Moments.Second);
        Assert.NotEqual(a, Enumerable.Repeat(0f, size));
    }

    [Fact]
    public void AdamW_GradientsOfAnotherLength_AreRefused()
    {
        var optimizer = new AdamW<float>(4);
        float[] parameters = [1f, 2f, 3f, 4f];
        optimizer.Advance();
        Assert.Throws<ArgumentException>(() => optimizer.Update(parameters, [1f, 2f], new AdamSettings(0.1, 0)));
        Assert.Equal([1f, 2f, 3f, 4f], parameters);
    }
}
