using RecEngine.Data;
using RecEngine.Data.Synthetic;
using RecEngine.Models.Neural;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Models.Neural;

public sealed class NeuralRecommenderTests
{
    private static readonly Lazy<InteractionDataset> Data = new(() => SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions
    {
        UserCount = 300,
        ItemCount = 150,
        InteractionCount = 8_000,
        MinInteractionsPerUser = 5,
        Feedback = SyntheticFeedback.ImplicitEvents,
    }));

    private static NeuralOptions Small(int threads = 2) => new()
    {
        EmbeddingSize = 8,
        HiddenLayers = [16, 8],
        Epochs = 4,
        BatchSize = 128,
        DegreeOfParallelism = threads,
    };

    private static float[] Scores(NeuralRecommender model, InteractionDataset data, string user)
    {
        string[] items = [.. Enumerable.Range(0, data.ItemCount).Select(data.Items.GetId)];
        var scores = new float[items.Length];
        model.Score(user, items, scores);
        return scores;
    }

    [Fact]
    public void TheSameSeedAndThreadCount_GiveTheSameModel_AndAnotherSeedAnother()
    {
        InteractionDataset data = Data.Value;
        var a = new NeuralRecommender(Small());
        var b = new NeuralRecommender(Small());
        NeuralOptions other = Small();
        other.Seed = 7;
        var c = new NeuralRecommender(other);
        a.Fit(data);
        b.Fit(data);
        c.Fit(data);

        foreach (string user in new[] { data.Users.GetId(0), data.Users.GetId(17), data.Users.GetId(211) })
        {
            Assert.Equal(Scores(a, data, user), Scores(b, data, user));
            Assert.NotEqual(Scores(a, data, user), Scores(c, data, user));
        }
    }

    [Fact]
    public void Progress_ReportsEveryEpochAndItsValidationLoss_AndTheTrainingLossFalls()
    {
        var reports = new SynchronousProgress<TrainingProgress>();
        NeuralOptions options = Small();
        options.Epochs = 5;
        options.Patience = 10;
        new NeuralRecommender(options).Fit(Data.Value, reports);

        double[] epochs = [.. reports.Reports.Where(r => r.Stage == "epoch").Select(r => r.Loss)];
        Assert.Equal(5, epochs.Length);
        Assert.Equal(5, reports.Reports.Count(r => r.Stage == "validation"));
        Assert.True(epochs[^1] < epochs[0], $"training losses {string.Join(", ", epochs)}");
        Assert.All(epochs, loss => Assert.True(loss is > 0 and < 1));
    }

    [Fact]
    public void EarlyStopping_StopsWhenTheValidationLossStopsImproving_AndKeepsTheBestEpoch()
    {
        // A large learning rate on a small dataset overfits within a few epochs.
        var reports = new SynchronousProgress<TrainingProgress>();
        NeuralOptions options = Small();
        options.Epochs = 60;
        options.LearningRate = 0.05;
        options.ValidationFraction = 0.2;
        options.Patience = 2;
        var model = new NeuralRecommender(options);
        model.Fit(Data.Value, reports);

        double[] validation = [.. reports.Reports.Where(r => r.Stage == "validation").Select(r => r.Loss)];
        Assert.True(validation.Length < 60, $"{validation.Length} epochs");
        int best = Array.IndexOf(validation, validation.Min());
        Assert.Equal(validation.Length - 1 - options.Patience, best);
    }

    [Fact]
    public void Cancelling_StopsTraining_AndLeavesTheModelUnfitted()
    {
        using var cancel = new CancellationTokenSource();
        var model = new NeuralRecommender(Small());
        var progress = new CancelOnFirstEpoch(cancel);

        Assert.ThrowsAny<OperationCanceledException>(() => model.Fit(Data.Value, progress, cancel.Token));
        Assert.False(model.IsFitted);
    }

    [Fact]
    public void DislikedPairs_AreNeverTrainedAsPositives()
    {
        // Everyone clicks items of their own half of the catalog and dislikes (a negative value) item "x"; if the
        // dislikes were positives, "x" would be the most popular positive of all and score high for everyone.
        var builder = new InteractionDatasetBuilder();
        for (int u = 0; u < 60; u++)
        {
            for (int i = 0; i < 6; i++)
            {
                builder.Add($"u{u}", $"i{(u % 2 * 6) + i}", 1f, i, EventKind.Click);
            }

            builder.Add($"u{u}", "x", -1f, 10, EventKind.Click);
            builder.Add($"u{u}", "x", -1f, 11, EventKind.Click);
        }

        InteractionDataset data = builder.Build();
        NeuralOptions options = Small();
        options.Epochs = 8;
        options.ValidationFraction = 0;
        var model = new NeuralRecommender(options);
        model.Fit(data);

        string[] items = [.. Enumerable.Range(0, data.ItemCount).Select(data.Items.GetId)];
        var scores = new float[items.Length];
        for (int u = 0; u < 60; u += 7)
        {
            model.Score($"u{u}", items, scores);
            float disliked = scores[Array.IndexOf(items, "x")];
            Assert.True(scores.Count(s => s > disliked) >= items.Length / 2, $"user u{u}: x ranks {scores.Count(s => s > disliked) + 1} of {items.Length}");
        }
    }

    [Fact]
    public void ACatalogOfOneItem_TrainsWithoutNegatives_AndServes()
    {
        InteractionDataset data = new InteractionDatasetBuilder().Add("a", "only", 1f, 0, EventKind.Click).Add("b", "only", 1f, 1, EventKind.Click).Build();
        NeuralOptions options = Small();
        options.ValidationFraction = 0;
        var model = new NeuralRecommender(options);
        model.Fit(data);

        Assert.Empty(model.Recommend("a", 5));
        Assert.Single(model.Recommend("stranger", 5));
    }

    private sealed class CancelOnFirstEpoch(CancellationTokenSource cancel) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Stage == "epoch")
            {
                cancel.Cancel();
            }
        }
    }

    [Fact]
    public void Bpr_AndPopularityNegatives_AndAlsInitialisation_TrainModelsThatRankTheirOwnTrainingItemsHigh()
    {
        InteractionDataset data = Data.Value;
        NeuralOptions bpr = Small();
        bpr.Loss = NeuralLoss.Bpr;
        bpr.Negatives = NegativeSampling.Popularity;
        bpr.InitializeFromAls = new RecEngine.Models.Factorization.ImplicitAlsOptions { Iterations = 3 };
        bpr.Epochs = 6;
        var model = new NeuralRecommender(bpr);
        model.Fit(data);

        // The items a user interacted with score above the items they did not, on average (AUC well above 0.5).
        double wins = 0, pairs = 0;
        var matrix = InteractionMatrix.Build(data, MatrixValues.One, DuplicatePolicy.LastWins);
        for (int u = 0; u < data.UserCount; u += 10)
        {
            float[] scores = Scores(model, data, data.Users.GetId(u));
            ReadOnlySpan<int> seen = matrix.RowColumns(u);
            for (int i = 0; i < data.ItemCount; i++)
            {
                if (seen.BinarySearch(i) < 0)
                {
                    foreach (int p in seen)
                    {
                        wins += scores[p] > scores[i] ? 1 : 0;
                        pairs++;
                    }
                }
            }
        }

        Assert.True(wins / pairs > 0.75, $"AUC {wins / pairs}");
    }
}
