using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RecEngine.Evaluation;
using RecEngine.Models.Neural;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Models.Neural;

/// <summary>The perceptron verified like a framework's layers: finite differences, a scalar reference, and overfitting.</summary>
public sealed class MlpTests
{
    private static double[] RandomValues(int count, ulong seed, double scale = 1.0)
    {
        var random = new SplitMix64(seed);
        return [.. Enumerable.Range(0, count).Select(_ => scale * ((2 * random.NextDouble()) - 1))];
    }

    /// <summary>L = Σ c ⊙ f(x): a loss whose gradient with respect to the outputs is c, so every output is checked.</summary>
    private static double WeightedOutputs(Mlp<double> network, Mlp<double>.Workspace workspace, double[] input, int batch, double[] coefficients)
    {
        var output = new double[batch * network.OutputSize];
        network.Forward(workspace, input, batch, output);
        return output.Select((o, i) => o * coefficients[i]).Sum();
    }

    private static void AssertClose(double analytic, double numeric, string what)
    {
        double error = Math.Abs(analytic - numeric) / Math.Max(1e-6, Math.Max(Math.Abs(analytic), Math.Abs(numeric)));
        Assert.True(error < 1e-6, $"{what}: analytic {analytic}, numeric {numeric}, relative error {error}");
    }

    [Theory]
    [InlineData(new[] { 6, 5, 4, 3 }, 4, 1UL)]
    [InlineData(new[] { 7, 8, 1 }, 5, 2UL)]
    [InlineData(new[] { 3, 1 }, 2, 3UL)]
    [InlineData(new[] { 9, 16, 8, 4, 2 }, 3, 4UL)]
    public void EveryParameterAndInputGradient_MatchesCentralDifferences_InDouble(int[] sizes, int batch, ulong seed)
    {
        var network = Mlp<double>.Create(sizes, seed);
        RandomValues(network.Parameters.Length, seed + 100, 0.5).CopyTo(network.Parameters, 0);
        double[] input = RandomValues(batch * sizes[0], seed + 200);
        double[] coefficients = RandomValues(batch * sizes[^1], seed + 300);
        Mlp<double>.Workspace workspace = network.CreateWorkspace(batch);

        var output = new double[batch * sizes[^1]];
        network.Forward(workspace, input, batch, output);
        var inputGradient = new double[input.Length];
        Array.Clear(network.Gradients);
        network.Backward(workspace, input, batch, coefficients, inputGradient);
        double[] analytic = (double[])network.Gradients.Clone();

        const double h = 1e-6;
        for (int p = 0; p < network.Parameters.Length; p++)
        {
            double saved = network.Parameters[p];
            network.Parameters[p] = saved + h;
            double up = WeightedOutputs(network, workspace, input, batch, coefficients);
            network.Parameters[p] = saved - h;
            double down = WeightedOutputs(network, workspace, input, batch, coefficients);
            network.Parameters[p] = saved;
            AssertClose(analytic[p], (up - down) / (2 * h), $"parameter {p}");
        }

        for (int i = 0; i < input.Length; i++)
        {
            double saved = input[i];
            input[i] = saved + h;
            double up = WeightedOutputs(network, workspace, input, batch, coefficients);
            input[i] = saved - h;
            double down = WeightedOutputs(network, workspace, input, batch, coefficients);
            input[i] = saved;
            AssertClose(inputGradient[i], (up - down) / (2 * h), $"input {i}");
        }
    }

    [Fact]
    public void BackwardAccumulates_IntoThePerThreadBuffer_AndTwoHalvesAddUpToTheWholeBatch()
    {
        int[] sizes = [5, 6, 1];
        var network = Mlp<double>.Create(sizes, 9);
        double[] input = RandomValues(8 * 5, 10);
        double[] gradient = RandomValues(8, 11);
        Mlp<double>.Workspace workspace = network.CreateWorkspace(8);
        var output = new double[8];

        network.Forward(workspace, input, 8, output);
        var whole = new double[network.Parameters.Length];
        network.Backward(workspace, input, 8, gradient, default, whole);

        var halves = new double[network.Parameters.Length];
        for (int half = 0; half < 2; half++)
        {
            double[] part = input[(half * 20)..((half + 1) * 20)];
            network.Forward(workspace, part, 4, output);
            network.Backward(workspace, part, 4, gradient.AsSpan(half * 4, 4), default, halves);
        }

        for (int p = 0; p < whole.Length; p++)
        {
            Assert.Equal(whole[p], halves[p], 12);
        }

        Assert.All(network.Gradients, g => Assert.Equal(0.0, g));
    }

    /// <summary>A plain scalar forward pass in double, the reference for the vectorised one.</summary>
    private static double[] ReferenceForward(int[] sizes, float[] parameters, float[] input, int batch)
    {
        double[] x = [.. input.Select(v => (double)v)];
        int offset = 0;
        for (int l = 0; l < sizes.Length - 1; l++)
        {
            int inputs = sizes[l], outputs = sizes[l + 1];
            var y = new double[batch * outputs];
            for (int b = 0; b < batch; b++)
            {
                for (int j = 0; j < outputs; j++)
                {
                    double sum = parameters[offset + (inputs * outputs) + j];
                    for (int i = 0; i < inputs; i++)
                    {
                        sum += parameters[offset + (j * inputs) + i] * x[(b * inputs) + i];
                    }

                    y[(b * outputs) + j] = l < sizes.Length - 2 ? Math.Max(sum, 0) : sum;
                }
            }

            offset += (inputs * outputs) + outputs;
            x = y;
        }

        return x;
    }

    [Property(MaxTest = 150)]
    public Property FloatForward_EqualsTheScalarReference() =>
        Prop.ForAll(
            Gen.Choose(1, 40).ArrayOf().Where(a => a.Length is >= 2 and <= 5).ToArbitrary(),
            Gen.Choose(1, 9).ToArbitrary(),
            Gen.Choose(0, 1_000_000).ToArbitrary(),
            (sizes, batch, seed) =>
            {
                var network = Mlp<float>.Create(sizes, (ulong)seed);
                float[] input = [.. RandomValues(batch * sizes[0], (ulong)seed + 1).Select(v => (float)v)];
                var output = new float[batch * sizes[^1]];
                network.Forward(network.CreateWorkspace(batch), input, batch, output);
                double[] expected = ReferenceForward(sizes, network.Parameters, input, batch);
                double scale = 1 + expected.Select(Math.Abs).DefaultIfEmpty().Max();
                return output.Zip(expected).All(p => Math.Abs(p.First - p.Second) <= 1e-4 * scale);
            });

    [Property(MaxTest = 100)]
    public Property FloatBackward_EqualsTheDoubleOne() =>
        Prop.ForAll(
            Gen.Choose(1, 40).ArrayOf().Where(a => a.Length is >= 2 and <= 4).ToArbitrary(),
            Gen.Choose(1, 9).ToArbitrary(),
            Gen.Choose(0, 1_000_000).ToArbitrary(),
            (sizes, batch, seed) =>
            {
                // The float path runs the blocked products, the double path the per-output loops: same gradients.
                var single = Mlp<float>.Create(sizes, (ulong)seed);
                var reference = Mlp<double>.FromParameters(sizes, [.. single.Parameters.Select(p => (double)p)]);
                double[] input = RandomValues(batch * sizes[0], (ulong)seed + 1);
                double[] outputGradient = RandomValues(batch * sizes[^1], (ulong)seed + 2);
                var output = new double[batch * sizes[^1]];
                var inputGradient = new double[input.Length];
                reference.Forward(reference.CreateWorkspace(batch), input, batch, output);
                Mlp<double>.Workspace doubles = reference.CreateWorkspace(batch);
                reference.Forward(doubles, input, batch, output);
                reference.Backward(doubles, input, batch, outputGradient, inputGradient);

                float[] inputF = [.. input.Select(v => (float)v)];
                var outputF = new float[output.Length];
                var inputGradientF = new float[input.Length];
                Mlp<float>.Workspace floats = single.CreateWorkspace(batch);
                single.Forward(floats, inputF, batch, outputF);
                single.Backward(floats, inputF, batch, [.. outputGradient.Select(v => (float)v)], inputGradientF);
                double scale = 1 + reference.Gradients.Concat(inputGradient).Select(Math.Abs).Max();
                return single.Gradients.Zip(reference.Gradients).All(p => Math.Abs(p.First - p.Second) <= 1e-4 * scale)
                    && inputGradientF.Zip(inputGradient).All(p => Math.Abs(p.First - p.Second) <= 1e-4 * scale);
            });

    [Fact]
    public void FloatForward_SeesAParameterChange_UnlessTheWorkspaceFixedTheWeights()
    {
        int[] sizes = [5, 8, 1];
        var network = Mlp<float>.Create(sizes, 3);
        float[] input = [.. RandomValues(4 * 5, 4).Select(v => (float)v)];
        Mlp<float>.Workspace training = network.CreateWorkspace(4);
        Mlp<float>.Workspace serving = network.CreateWorkspace(4, backward: false, fixedWeights: true);
        var before = new float[4];
        var after = new float[4];
        var fixedOutput = new float[4];
        network.Forward(training, input, 4, before);
        network.Weights(0).Clear();
        network.Forward(training, input, 4, after);
        network.Forward(serving, input, 4, fixedOutput);
        float bias = network.Biases(1)[0];
        Assert.All(after, y => Assert.Equal(bias, y));
        Assert.Equal(before, fixedOutput);
    }

    [Fact]
    public void FloatForwardAndBackward_AllocateNothing_AfterWarmUp()
    {
        int[] sizes = [123, 64, 32, 1];
        var network = Mlp<float>.Create(sizes, 8);
        float[] input = [.. RandomValues(256 * 123, 9).Select(v => (float)v)];
        var output = new float[256];
        var gradient = new float[256];
        var inputGradient = new float[input.Length];
        Mlp<float>.Workspace workspace = network.CreateWorkspace(256);
        network.Forward(workspace, input, 256, output);
        network.Backward(workspace, input, 256, gradient, inputGradient);
        SteadyAllocation.AssertNone(() =>
        {
            network.Forward(workspace, input, 256, output);
            network.Backward(workspace, input, 256, gradient, inputGradient);
        });
    }

    [Fact]
    public void TheNetwork_OverfitsATinyDataset_ToNearZeroLoss()
    {
        const int samples = 32;
        int[] sizes = [8, 32, 16, 1];
        var network = Mlp<float>.Create(sizes, 5);
        float[] input = [.. RandomValues(samples * 8, 6).Select(v => (float)v)];
        var random = new SplitMix64(7);
        float[] labels = [.. Enumerable.Range(0, samples).Select(_ => (float)random.Next(2))];
        var optimizer = new AdamW<float>(network.Parameters.Length);
        var settings = new AdamSettings(LearningRate: 0.01, WeightDecay: 0);
        Mlp<float>.Workspace workspace = network.CreateWorkspace(samples);
        var logits = new float[samples];
        var gradient = new float[samples];
        double loss = double.NaN;
        for (int step = 0; step < 2_000; step++)
        {
            network.Forward(workspace, input, samples, logits);
            loss = 0;
            for (int s = 0; s < samples; s++)
            {
                loss += Losses.BinaryCrossEntropy(logits[s], labels[s], out float g);
                gradient[s] = g / samples;
            }

            loss /= samples;
            Array.Clear(network.Gradients);
            network.Backward(workspace, input, samples, gradient, default);
            optimizer.Advance();
            optimizer.Update(network.Parameters, network.Gradients, settings);
        }

        Assert.True(loss < 0.01, $"loss after 2,000 steps: {loss}");
    }
}
