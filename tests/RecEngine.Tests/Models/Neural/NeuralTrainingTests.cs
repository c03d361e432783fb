using RecEngine.Data;
using RecEngine.Data.Synthetic;
using RecEngine.Evaluation;
using RecEngine.Models.Factorization;
using RecEngine.Models.Neural;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Models.Neural;

/// <summary>The trainer's claims one by one: no allocation per batch, the best epoch kept, ALS initialisation, BPR learning.</summary>
public sealed class NeuralTrainingTests
{
    private static readonly Lazy<InteractionDataset> Data = new(() => SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions
    {
        UserCount = 300,
        ItemCount = 150,
        InteractionCount = 8_000,
        MinInteractionsPerUser = 5,
        Feedback = SyntheticFeedback.ImplicitEvents,
    }));

    private static NeuralOptions Small(int threads) => new()
    {
        EmbeddingSize = 8,
        HiddenLayers = [16, 8],
        Epochs = 4,
        BatchSize = 64,
        DegreeOfParallelism = threads,
    };

    private static float[] Scores(NeuralRecommender model, InteractionDataset data, string user)
    {
        string[] items = [.. Enumerable.Range(0, data.ItemCount).Select(data.Items.GetId)];
        var scores = new float[items.Length];
        model.Score(user, items, scores);
        return scores;
    }

    /// <summary>Every (user, item) row of the data as a positive, each with a seeded random other item (a negative, or BPR's negative).</summary>
    private static NeuralTrainer.Example[] Examples(InteractionDataset data, NeuralLoss loss)
    {
        var random = new SplitMix64(5);
        var examples = new List<NeuralTrainer.Example>();
        for (int row = 0; row < data.Count; row++)
        {
            int user = data.UserIndices[row], item = data.ItemIndices[row], other = random.Next(data.ItemCount);
            if (loss == NeuralLoss.Bpr)
            {
                examples.Add(new(user, item, other));
            }
            else
            {
                examples.Add(new(user, item, 1));
                examples.Add(new(user, other, 0));
            }
        }

        return [.. examples];
    }

    [Theory]
    [InlineData(NeuralLoss.BinaryCrossEntropy)]
    [InlineData(NeuralLoss.Bpr)]
    public void AMiniBatchStep_AfterWarmUp_AllocatesNothingOnTheCallingThread(NeuralLoss loss)
    {
        // One thread: the slice runs on the calling thread, so every byte a step allocates is counted here. A step is
        // the forward and backward passes, the embedding scatter and the AdamW updates of the network and the rows.
        NeuralOptions options = Small(threads: 1);
        options.Loss = loss;
        using NeuralTrainer trainer = NeuralTrainer.Create(Data.Value, options);
        NeuralTrainer.Example[] examples = Examples(Data.Value, loss);
        var settings = new AdamSettings(options.LearningRate, options.WeightDecay);
        int batches = examples.Length / options.BatchSize;
        for (int b = 0; b < 50; b++)
        {
            trainer.Step(examples, b % batches * options.BatchSize, options.BatchSize, settings);
        }

        float[] network = (float[])trainer.State.Network.Parameters.Clone();
        float[] users = (float[])trainer.State.Users.Clone();
        double total = 0;
        SteadyAllocation.AssertNone(() =>
        {
            for (int b = 0; b < 200; b++)
            {
                total += trainer.Step(examples, (b + 50) % batches * options.BatchSize, options.BatchSize, settings);
            }
        });

        // The steps did train: the loss is finite and the parameters moved.
        Assert.True(double.IsFinite(total) && total > 0, $"summed loss {total}");
        Assert.NotEqual(network, trainer.State.Network.Parameters);
        Assert.NotEqual(users, trainer.State.Users);
    }

    [Fact]
    public void Scoring_AfterWarmUp_AllocatesNothingOnTheCallingThread()
    {
        InteractionDataset data = Data.Value;
        NeuralOptions options = Small(threads: 1);
        options.Epochs = 1;
        var model = new NeuralRecommender(options);
        model.Fit(data);
        string[] items = [.. Enumerable.Range(0, data.ItemCount).Select(data.Items.GetId)];
        string[] users = [.. Enumerable.Range(0, 20).Select(u => data.Users.GetId(u * 7))];
        var scores = new float[items.Length];
        var top = new ScoredItem[10];
        for (int warm = 0; warm < 20; warm++)
        {
            model.Score(users[warm % users.Length], items, scores);
            model.Recommend(users[warm % users.Length], top);
        }

        int written = 0, calls = 0;
        SteadyAllocation.AssertNone(() =>
        {
            for (int call = 0; call < 200; call++, calls++)
            {
                model.Score(users[call % users.Length], items, scores);
                written += model.Recommend(users[call % users.Length], top);
            }
        });
        Assert.Equal(calls * top.Length, written);
        Assert.True(scores.Distinct().Count() > items.Length / 2, "the scores are not those of a trained network");
    }

    [Fact]
    public void EarlyStopping_KeepsTheBestEpochsModel_NotTheLastOne()
    {
        // A large learning rate on a small dataset overfits within a few epochs, so the run stops Patience epochs
        // after its best one; the model kept must be the one of that epoch.
        InteractionDataset data = Data.Value;
        NeuralOptions options = Small(threads: 2);
        options.BatchSize = 128;
        options.Epochs = 60;
        options.LearningRate = 0.05;
        options.ValidationFraction = 0.2;
        options.Patience = 2;
        var reports = new SynchronousProgress<TrainingProgress>();
        var stopped = new NeuralRecommender(options);
        stopped.Fit(data, reports);
        double[] validation = [.. reports.Reports.Where(r => r.Stage == "validation").Select(r => r.Loss)];
        int bestEpoch = Array.IndexOf(validation, validation.Min()) + 1;
        Assert.True(validation.Length > bestEpoch, $"the run stopped at its best epoch ({bestEpoch} of {validation.Length}), so keeping the last epoch would go unnoticed");

        // The same seed, split and draws, trained for exactly the best epoch's number of epochs: its last epoch is the
        // best epoch, whatever it keeps. The epochs after it draw their own negatives and shuffles, so they do not
        // change the run's first epochs.
        NeuralOptions exact = Small(threads: 2);
        exact.BatchSize = 128;
        exact.Epochs = bestEpoch;
        exact.LearningRate = 0.05;
        exact.ValidationFraction = 0.2;
        exact.Patience = 60;
        var reference = new SynchronousProgress<TrainingProgress>();
        var best = new NeuralRecommender(exact);
        best.Fit(data, reference);
        double[] referenceLosses = [.. reference.Reports.Where(r => r.Stage == "validation").Select(r => r.Loss)];
        Assert.Equal(validation[..bestEpoch], referenceLosses);

        foreach (int u in new[] { 0, 31, 150, 299 })
        {
            string user = data.Users.GetId(u);
            Assert.Equal(Scores(best, data, user), Scores(stopped, data, user));
        }
    }

    [Fact]
    public void InitializeFromAls_StartsTheEmbeddingsAtTheAlsFactors()
    {
        InteractionDataset data = Data.Value;
        var als = new ImplicitAlsOptions { Iterations = 3, Alpha = 2, Regularization = 1, Seed = 9 };
        NeuralOptions options = Small(threads: 2);
        options.InitializeFromAls = als;
        using NeuralTrainer trainer = NeuralTrainer.Create(data, options);

        // ALS fitted on its own with the same options, the factor count set to the embedding size.
        var fitted = new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 8, Iterations = 3, Alpha = 2, Regularization = 1, Seed = 9, DegreeOfParallelism = 2 });
        fitted.Fit(data);
        Assert.Equal(fitted.Trained.UserFactors.ToArray(), trainer.State.Users);
        Assert.Equal(fitted.Trained.ItemFactors.ToArray(), trainer.State.Items);
        Assert.Equal(64, als.Factors);

        // Without it the embeddings start small and random, not at the factors.
        options.InitializeFromAls = null;
        using NeuralTrainer random = NeuralTrainer.Create(data, options);
        Assert.NotEqual(fitted.Trained.UserFactors.ToArray(), random.State.Users);
        Assert.True(random.State.Users.Max(u => Math.Abs(u)) < 0.5f, "random initial embeddings are drawn from N(0, 0.05²)");
    }

    [Fact]
    public void BprLoss_FallsEpochByEpoch_FromThatOfAnUninformedScorer()
    {
        // An untrained network scores positives and negatives alike: each pair costs softplus(0) = ln 2 = 0.693.
        InteractionDataset data = Data.Value;
        NeuralOptions options = Small(threads: 2);
        options.Loss = NeuralLoss.Bpr;
        options.Epochs = 6;
        options.Patience = 6;
        var reports = new SynchronousProgress<TrainingProgress>();
        new NeuralRecommender(options).Fit(data, reports);

        double[] epochs = [.. reports.Reports.Where(r => r.Stage == "epoch").Select(r => r.Loss)];
        double[] validation = [.. reports.Reports.Where(r => r.Stage == "validation").Select(r => r.Loss)];
        Assert.Equal(6, epochs.Length);
        for (int e = 1; e < epochs.Length; e++)
        {
            Assert.True(epochs[e] < epochs[e - 1], $"epoch {e + 1}: {epochs[e]} is not below {epochs[e - 1]}");
        }

        Assert.True(epochs[0] < Math.Log(2), $"first epoch {epochs[0]}");
        Assert.True(epochs[^1] < 0.8 * Math.Log(2), $"last epoch {epochs[^1]}");
        Assert.True(validation[^1] < validation[0], $"validation losses {string.Join(", ", validation)}");
    }
}
