using MathNet.Numerics.LinearAlgebra;
using RecEngine.Data;
using RecEngine.Models.Baseline;
using RecEngine.Tests.Evaluation;

namespace RecEngine.Tests.Models.Baseline;

public sealed class BaselineRatingPredictorTests
{
    [Fact]
    public void PredictRating_OneSweepOnTinyData_MatchesHandComputedBiases()
    {
        // Ratings A-x 5, A-y 3, B-x 4; λ_u = λ_i = 1; μ = 12/3 = 4.
        // Items first: b_x = ((5 - 4) + (4 - 4)) / (1 + 2) = 1/3; b_y = (3 - 4) / (1 + 1) = -1/2.
        // Users next: b_A = ((5 - 4 - 1/3) + (3 - 4 + 1/2)) / (1 + 2) = (1/6) / 3 = 1/18; b_B = (4 - 4 - 1/3) / (1 + 1) = -1/6.
        var model = new BaselineRatingPredictor(new BaselineOptions { UserRegularization = 1, ItemRegularization = 1, Iterations = 1 });
        model.Fit(EvaluationData.Build(("A", "x", 5, 1), ("A", "y", 3, 2), ("B", "x", 4, 3)));

        Assert.Equal(4.388889f, model.PredictRating("A", "x"), 5);   // 4 + 1/18 + 1/3
        Assert.Equal(3.555556f, model.PredictRating("A", "y"), 5);   // 4 + 1/18 - 1/2
        Assert.Equal(4.166667f, model.PredictRating("B", "x"), 5);   // 4 - 1/6 + 1/3
        Assert.Equal(3.333333f, model.PredictRating("B", "y"), 5);   // 4 - 1/6 - 1/2
    }

    [Fact]
    public void PredictRating_UnknownUserOrItem_FallsBackToTheKnownBiasesAndTheMean()
    {
        // Same data as above: unknown user -> μ + b_i, unknown item -> μ + b_u, both unknown -> μ.
        var model = new BaselineRatingPredictor(new BaselineOptions { UserRegularization = 1, ItemRegularization = 1, Iterations = 1 });
        model.Fit(EvaluationData.Build(("A", "x", 5, 1), ("A", "y", 3, 2), ("B", "x", 4, 3)));

        Assert.Equal(4.333333f, model.PredictRating("stranger", "x"), 5);   // 4 + 1/3
        Assert.Equal(4.055556f, model.PredictRating("A", "new-item"), 5);   // 4 + 1/18
        Assert.Equal(4f, model.PredictRating("stranger", "new-item"), 5);
    }

    [Fact]
    public void PredictRating_ManySweeps_ConvergesToTheExactRidgeSolution()
    {
        // The objective Σ (r - μ - b_u - b_i)² + λ_u Σ b_u² + λ_i Σ b_i² is a ridge regression on one-hot user and
        // item columns; its minimiser solves (XᵀX + Λ) b = Xᵀ (r - μ), computed here directly with dense algebra.
        InteractionDataset data = EvaluationData.SyntheticRatings(users: 12, items: 8, density: 0.6, seed: 5);
        var model = new BaselineRatingPredictor(new BaselineOptions { Iterations = 300, ClipPredictions = false });
        model.Fit(data);

        int users = data.UserCount;
        int items = data.ItemCount;
        double mean = data.Values.ToArray().Average(v => (double)v);
        var x = Matrix<double>.Build.Dense(data.Count, users + items);
        var y = Vector<double>.Build.Dense(data.Count);
        for (int row = 0; row < data.Count; row++)
        {
            x[row, data.UserIndices[row]] = 1.0;
            x[row, users + data.ItemIndices[row]] = 1.0;
            y[row] = data.Values[row] - mean;
        }

        Matrix<double> normal = x.TransposeThisAndMultiply(x);
        for (int j = 0; j < users + items; j++)
        {
            normal[j, j] += j < users ? 15.0 : 10.0;
        }

        Vector<double> biases = normal.Solve(x.TransposeThisAndMultiply(y));
        for (int u = 0; u < users; u++)
        {
            for (int i = 0; i < items; i++)
            {
                double expected = mean + biases[u] + biases[users + i];
                Assert.Equal(expected, model.PredictRating(data.Users.GetId(u), data.Items.GetId(i)), 4);
            }
        }
    }

    [Fact]
    public void Fit_ReportsAnObjectiveThatNeverIncreases()
    {
        var losses = new List<double>();
        var model = new BaselineRatingPredictor(new BaselineOptions { Iterations = 10 });
        model.Fit(EvaluationData.SyntheticRatings(users: 30, items: 20, density: 0.3, seed: 2), new SynchronousProgress(p => losses.Add(p.Loss)));

        Assert.Equal(10, losses.Count);
        for (int t = 1; t < losses.Count; t++)
        {
            Assert.True(losses[t] <= losses[t - 1] * (1 + 1e-12), $"Objective rose from {losses[t - 1]} to {losses[t]} at sweep {t + 1}.");
        }
    }

    [Fact]
    public void PredictRating_WithClipping_StaysInTheTrainingRatingRange()
    {
        // λ = 0, one sweep, μ = 17/6: b_x = 13/6, b_y = -1/3, b_z = -11/6, then b_A = 3/4, b_B = 0, b_C = -3/4.
        // Unclipped (A, x) = 17/6 + 3/4 + 13/6 = 5.75 and (C, z) = 17/6 - 3/4 - 11/6 = 0.25; ratings span [1, 5].
        InteractionDataset data = EvaluationData.Build(
            ("A", "x", 5, 1), ("A", "y", 4, 2), ("B", "x", 5, 3), ("B", "z", 1, 4), ("C", "y", 1, 5), ("C", "z", 1, 6));
        var options = new BaselineOptions { UserRegularization = 0, ItemRegularization = 0, Iterations = 1 };
        var clipped = new BaselineRatingPredictor(options);
        var raw = new BaselineRatingPredictor(new BaselineOptions { UserRegularization = 0, ItemRegularization = 0, Iterations = 1, ClipPredictions = false });
        clipped.Fit(data);
        raw.Fit(data);

        Assert.Equal(5.75f, raw.PredictRating("A", "x"), 5);
        Assert.Equal(0.25f, raw.PredictRating("C", "z"), 5);
        Assert.Equal(5f, clipped.PredictRating("A", "x"));
        Assert.Equal(1f, clipped.PredictRating("C", "z"));
        Assert.Equal(raw.PredictRating("B", "y"), clipped.PredictRating("B", "y"));
    }

    [Fact]
    public void Recommend_KnownUser_RanksUnseenItemsByPredictedRating()
    {
        // Items differ only by bias, so the order is that of the item biases; A has seen x.
        InteractionDataset data = EvaluationData.Build(
            ("A", "x", 5, 1), ("B", "x", 2, 2), ("B", "y", 5, 3), ("C", "z", 1, 4), ("C", "w", 3, 5));
        var model = new BaselineRatingPredictor(new BaselineOptions { ClipPredictions = false });
        model.Fit(data);

        IReadOnlyList<ScoredItem> top = model.Recommend("A", 3);

        Assert.DoesNotContain(top, s => s.ItemId == "x");
        Assert.Equal(top.Select(s => s.ItemId), top.OrderByDescending(s => model.PredictRating("A", s.ItemId)).Select(s => s.ItemId));
        foreach (ScoredItem scored in top)
        {
            Assert.Equal(model.PredictRating("A", scored.ItemId), scored.Score, 5);
        }
    }

    [Fact]
    public void Options_Defaults_AreSurpriseBaselineOnlyAlsDefaults()
    {
        var options = new BaselineOptions();
        Assert.Equal(15.0, options.UserRegularization);
        Assert.Equal(10.0, options.ItemRegularization);
        Assert.Equal(10, options.Iterations);
        Assert.True(options.ClipPredictions);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsNamingTheProperty()
    {
        Assert.Equal("UserRegularization", Assert.Throws<ArgumentOutOfRangeException>(() => new BaselineRatingPredictor(new BaselineOptions { UserRegularization = -1 })).ParamName);
        Assert.Equal("ItemRegularization", Assert.Throws<ArgumentOutOfRangeException>(() => new BaselineRatingPredictor(new BaselineOptions { ItemRegularization = double.NaN })).ParamName);
        Assert.Equal("Iterations", Assert.Throws<ArgumentOutOfRangeException>(() => new BaselineRatingPredictor(new BaselineOptions { Iterations = 0 })).ParamName);
    }

    [Fact]
    public void PredictRating_BeforeFitOrWithNullIds_Throws()
    {
        var model = new BaselineRatingPredictor();
        Assert.Throws<InvalidOperationException>(() => model.PredictRating("A", "x"));

        model.Fit(EvaluationData.Build(("A", "x", 5, 1)));
        Assert.Equal("userId", Assert.Throws<ArgumentNullException>(() => model.PredictRating(null!, "x")).ParamName);
        Assert.Equal("itemId", Assert.Throws<ArgumentNullException>(() => model.PredictRating("A", null!)).ParamName);
    }

    [Fact]
    public void Fit_EmptyData_PredictsZeroWithoutThrowing()
    {
        var model = new BaselineRatingPredictor();
        model.Fit(new InteractionDatasetBuilder().Build());

        Assert.Equal(0f, model.PredictRating("anyone", "anything"));
    }

    /// <summary>Reports on the calling thread, unlike <see cref="Progress{T}"/>, so the test sees every report in order.</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
