using RecEngine.Data;
using RecEngine.Evaluation;
using RecEngine.Models.Baseline;

namespace RecEngine.Tests.Evaluation;

public sealed class RatingEvaluatorTests
{
    [Fact]
    public void Evaluate_ConstantPredictor_MatchesHandComputedErrors()
    {
        InteractionDataset data = EvaluationData.Build(("u", "a", 4, 1), ("u", "b", 2, 2), ("u", "c", 4, 3), ("v", "a", 5, 4));
        var split = new DatasetSplit(data.Subset([0]), data.Subset([1, 2, 3]));

        EvaluationResult result = RatingEvaluator.Evaluate(new ConstantPredictor(3f), split);

        // Test ratings [2, 4, 5] against 3: errors [1, -1, -2]; RMSE = sqrt((1 + 1 + 4)/3) = sqrt 2; MAE = (1 + 1 + 2)/3.
        Assert.Equal(1.4142135623730951, result[MetricNames.Rmse], 12);
        Assert.Equal(4.0 / 3.0, result[MetricNames.Mae], 12);
        Assert.Equal(["RMSE", "MAE"], result.Metrics.Keys);
        Assert.Equal(2, result.UserCount);
        Assert.Equal(3, result.InteractionCount);
    }

    [Fact]
    public void Evaluate_BaselineOnSyntheticRatings_HasLowerRmseThanTheGlobalMean()
    {
        InteractionDataset data = EvaluationData.SyntheticRatings(users: 80, items: 50, density: 0.3, seed: 21);
        DatasetSplit split = DatasetSplit.RandomHoldout(data, 0.2, seed: 3);
        var baseline = new BaselineRatingPredictor();
        baseline.Fit(split.Train);
        var globalMean = new ConstantPredictor((float)split.Train.Values.ToArray().Average(v => (double)v));

        double baselineRmse = RatingEvaluator.Evaluate(baseline, split)[MetricNames.Rmse];
        double globalMeanRmse = RatingEvaluator.Evaluate(globalMean, split)[MetricNames.Rmse];

        Assert.True(baselineRmse < 0.9 * globalMeanRmse, $"Baseline RMSE {baselineRmse} is not clearly below the global mean's {globalMeanRmse}.");
    }

    [Fact]
    public void Evaluate_EmptyTestSet_ReportsNaN()
    {
        InteractionDataset data = EvaluationData.Build(("u", "a", 4, 1));
        var split = new DatasetSplit(data, data.Subset([]));

        EvaluationResult result = RatingEvaluator.Evaluate(new ConstantPredictor(3f), split);

        Assert.True(double.IsNaN(result[MetricNames.Rmse]));
        Assert.Equal(0, result.InteractionCount);
    }

    [Fact]
    public void Evaluate_NullArguments_ThrowNamingTheParameter()
    {
        InteractionDataset data = EvaluationData.Build(("u", "a", 4, 1));
        Assert.Equal("predictor", Assert.Throws<ArgumentNullException>(() => RatingEvaluator.Evaluate(null!, new DatasetSplit(data, data))).ParamName);
        Assert.Equal("split", Assert.Throws<ArgumentNullException>(() => RatingEvaluator.Evaluate(new ConstantPredictor(1f), null!)).ParamName);
    }

    /// <summary>Predicts the same rating for everyone; with the training mean it is the global-mean predictor.</summary>
    private sealed class ConstantPredictor(float rating) : IRatingPredictor
    {
        public float PredictRating(string userId, string itemId) => rating;
    }
}
