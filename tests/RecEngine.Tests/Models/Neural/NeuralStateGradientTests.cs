using RecEngine.Data;
using RecEngine.Evaluation;
using RecEngine.Models.Neural;

namespace RecEngine.Tests.Models.Neural;

/// <summary>
/// The whole input block verified like a framework's layer: the gradients the trainer computes for a mini-batch
/// (embeddings through the direct blocks and the element-wise product, scattered over repeated users and items, and
/// the network's parameters, across two thread slices) against central differences of the batch's mean loss,
/// computed in double by a plain reference from the same parameters.
/// </summary>
public sealed class NeuralStateGradientTests
{
    private const int Embedding = 4;

    /// <summary>Three users, four items, two categories: user context (6), item categories (2) and item context (2).</summary>
    private static InteractionDataset Data()
    {
        var builder = new InteractionDatasetBuilder()
            .Add("u0", "i0", 1f, 0, EventKind.Click)
            .Add("u0", "i1", 1f, 86_400_000, EventKind.Click)
            .Add("u1", "i1", 1f, 2 * 86_400_000L, EventKind.Purchase)
            .Add("u1", "i2", 1f, 3 * 86_400_000L, EventKind.View)
            .Add("u2", "i3", 1f, 4 * 86_400_000L, EventKind.View)
            .Add("u2", "i0", 1f, 5 * 86_400_000L, EventKind.AddToCart);
        builder.SetItemAttributes("i0", new ItemAttributes { Categories = ["a"] });
        builder.SetItemAttributes("i1", new ItemAttributes { Categories = ["a", "b"] });
        builder.SetItemAttributes("i2", new ItemAttributes { Categories = ["b"] });
        return builder.Build();
    }

    /// <summary>A batch in which users and items repeat (an item is a positive in one BPR pair and the negative of another).</summary>
    private static NeuralTrainer.Example[] Batch(NeuralLoss loss) => loss == NeuralLoss.Bpr
        ? [new(0, 0, 2), new(1, 1, 0), new(2, 3, 1)]
        : [new(0, 0, 1), new(0, 2, 0), new(1, 0, 0), new(1, 1, 1), new(2, 3, 1), new(2, 1, 0)];

    [Theory]
    [InlineData(NeuralLoss.BinaryCrossEntropy, true)]
    [InlineData(NeuralLoss.Bpr, true)]
    [InlineData(NeuralLoss.BinaryCrossEntropy, false)]
    public void EmbeddingAndNetworkGradients_MatchCentralDifferencesOfTheMeanLoss_InDouble(NeuralLoss loss, bool product)
    {
        var options = new NeuralOptions
        {
            EmbeddingSize = Embedding,
            HiddenLayers = [7, 5],
            IncludeProduct = product,
            Loss = loss,
            BatchSize = 8,
            DegreeOfParallelism = 2,
            Seed = 3,
        };
        options.Validate();
        using NeuralTrainer trainer = NeuralTrainer.Create(Data(), options);
        NeuralState state = trainer.State;
        Assert.Equal((Embedding * (product ? 3 : 2)) + 6 + 4, state.InputWidth);

        // Embeddings of order 1 (not the small initial ones), so that the product block carries real gradient.
        var random = new SplitMix64(11);
        for (int e = 0; e < state.Users.Length; e++)
        {
            state.Users[e] = (float)((2 * random.NextDouble()) - 1);
        }

        for (int e = 0; e < state.Items.Length; e++)
        {
            state.Items[e] = (float)((2 * random.NextDouble()) - 1);
        }

        NeuralTrainer.Example[] batch = Batch(loss);
        double summed = trainer.Accumulate(batch, 0, batch.Length);
        float[] userGradients = trainer.UserGradients.ToArray();
        float[] itemGradients = trainer.ItemGradients.ToArray();
        float[] networkGradients = (float[])state.Network.Gradients.Clone();

        var reference = new ReferenceLoss(state, batch, loss);
        double mean = reference.Evaluate();
        Assert.True(Math.Abs((summed / batch.Length) - mean) <= 1e-5 * Math.Max(1, mean), $"trainer's mean loss {summed / batch.Length}, reference {mean}");

        Check(userGradients, reference.Users, reference, "user embedding");
        Check(itemGradients, reference.Items, reference, "item embedding");
        Check(networkGradients, reference.Network, reference, "network parameter");

        if (product)
        {
            // The check has power over the product block: the loss's sensitivity through the product alone is a
            // sizeable part of each embedding's gradient, so a missing or wrong product term would fail above.
            Assert.True(Norm(reference.Numeric(reference.ProductUsers)) > 0.1 * Norm(reference.Numeric(reference.Users)), "the product block hardly moves the loss through the users");
            Assert.True(Norm(reference.Numeric(reference.ProductItems)) > 0.1 * Norm(reference.Numeric(reference.Items)), "the product block hardly moves the loss through the items");
        }
    }

    private static void Check(float[] analytic, double[] parameters, ReferenceLoss reference, string what)
    {
        double[] numeric = reference.Numeric(parameters);
        Assert.Equal(numeric.Length, analytic.Length);
        Assert.Contains(numeric, g => Math.Abs(g) > 1e-3);
        for (int p = 0; p < numeric.Length; p++)
        {
            double error = Math.Abs(analytic[p] - numeric[p]) / Math.Max(1e-4, Math.Max(Math.Abs(analytic[p]), Math.Abs(numeric[p])));
            Assert.True(error < 1e-3, $"{what} {p}: analytic {analytic[p]}, numeric {numeric[p]}, relative error {error}");
        }
    }

    private static double Norm(double[] values) => Math.Sqrt(values.Sum(v => v * v));

    /// <summary>
    /// The mean loss of a batch in double, written from the definitions: the input row
    /// [u | i | u ⊙ i | user features | item features], dense layers (weights row by row per output, then biases) with
    /// ReLU between them, then softplus(z) − y z (cross-entropy) or softplus(z⁻ − z⁺) (BPR). The product block reads
    /// its own copies of the embeddings, so that the loss's sensitivity through it alone can be measured.
    /// </summary>
    private sealed class ReferenceLoss
    {
        private readonly NeuralState _state;
        private readonly NeuralTrainer.Example[] _batch;
        private readonly NeuralLoss _loss;
        private readonly int[] _sizes;

        public ReferenceLoss(NeuralState state, NeuralTrainer.Example[] batch, NeuralLoss loss)
        {
            _state = state;
            _batch = batch;
            _loss = loss;
            _sizes = state.Network.Sizes.ToArray();
            Users = [.. state.Users.Select(v => (double)v)];
            Items = [.. state.Items.Select(v => (double)v)];
            ProductUsers = (double[])Users.Clone();
            ProductItems = (double[])Items.Clone();
            Network = [.. state.Network.Parameters.Select(v => (double)v)];
        }

        public double[] Users { get; }

        public double[] Items { get; }

        public double[] ProductUsers { get; }

        public double[] ProductItems { get; }

        public double[] Network { get; }

        /// <summary>Central differences of the mean loss with respect to every entry of <paramref name="parameters"/> (one of the arrays above).</summary>
        public double[] Numeric(double[] parameters)
        {
            const double h = 1e-6;
            bool tied = ReferenceEquals(parameters, Users) || ReferenceEquals(parameters, Items);
            double[]? twin = ReferenceEquals(parameters, Users) ? ProductUsers : ReferenceEquals(parameters, Items) ? ProductItems : null;
            var gradient = new double[parameters.Length];
            for (int p = 0; p < parameters.Length; p++)
            {
                double saved = parameters[p];
                Set(parameters, twin, tied, p, saved + h);
                double up = Evaluate();
                Set(parameters, twin, tied, p, saved - h);
                double down = Evaluate();
                Set(parameters, twin, tied, p, saved);
                gradient[p] = (up - down) / (2 * h);
            }

            return gradient;
        }

        /// <summary>An embedding moves in the direct block and in the product block together; a product copy alone moves only there.</summary>
        private static void Set(double[] parameters, double[]? twin, bool tied, int p, double value)
        {
            parameters[p] = value;
            if (tied)
            {
                twin![p] = value;
            }
        }

        public double Evaluate()
        {
            double total = 0;
            foreach (NeuralTrainer.Example example in _batch)
            {
                if (_loss == NeuralLoss.Bpr)
                {
                    double difference = Logit(example.User, example.Item) - Logit(example.User, example.Other);
                    total += Math.Log(1 + Math.Exp(-difference));
                }
                else
                {
                    double z = Logit(example.User, example.Item);
                    total += Math.Log(1 + Math.Exp(z)) - (example.Other * z);
                }
            }

            return total / _batch.Length;
        }

        private double Logit(int user, int item)
        {
            int d = _state.Embedding;
            var x = new List<double>();
            for (int k = 0; k < d; k++)
            {
                x.Add(Users[(user * d) + k]);
            }

            for (int k = 0; k < d; k++)
            {
                x.Add(Items[(item * d) + k]);
            }

            if (_state.Product)
            {
                for (int k = 0; k < d; k++)
                {
                    x.Add(ProductUsers[(user * d) + k] * ProductItems[(item * d) + k]);
                }
            }

            foreach (float f in _state.Features.UserRow(user))
            {
                x.Add(f);
            }

            foreach (float f in _state.Features.ItemRow(item))
            {
                x.Add(f);
            }

            double[] input = [.. x];
            Assert.Equal(_sizes[0], input.Length);
            int offset = 0;
            for (int l = 0; l < _sizes.Length - 1; l++)
            {
                int inputs = _sizes[l], outputs = _sizes[l + 1];
                var y = new double[outputs];
                for (int j = 0; j < outputs; j++)
                {
                    double sum = Network[offset + (inputs * outputs) + j];
                    for (int i = 0; i < inputs; i++)
                    {
                        sum += Network[offset + (j * inputs) + i] * input[i];
                    }

                    y[j] = l < _sizes.Length - 2 ? Math.Max(sum, 0) : sum;
                }

                offset += (inputs * outputs) + outputs;
                input = y;
            }

            return input[0];
        }
    }
}
