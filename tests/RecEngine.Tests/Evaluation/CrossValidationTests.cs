using RecEngine.Data;
using RecEngine.Evaluation;
using RecEngine.Models.Baseline;
using RecEngine.Models.Popularity;

namespace RecEngine.Tests.Evaluation;

public sealed class CrossValidationTests
{
    private static readonly InteractionDataset s_data = EvaluationData.SyntheticRatings(users: 50, items: 30, density: 0.3, seed: 8);

    [Fact]
    public void Run_ThreeFolds_FitsAFreshModelPerFoldAndAveragesTheirMetrics()
    {
        var created = new List<PopularityRecommender>();

        CrossValidationResult result = CrossValidation.Run(s_data, () =>
        {
            var model = new PopularityRecommender();
            created.Add(model);
            return model;
        }, k: 3, seed: 5);

        Assert.Equal(3, created.Distinct().Count());
        Assert.Equal(3, result.Folds.Count);
        Assert.Equal(s_data.Count, result.Folds.Sum(f => f.InteractionCount));
        Assert.Equal(result.Folds[0].Metrics.Keys, result.Mean.Keys);
        foreach ((string name, double mean) in result.Mean)
        {
            Assert.Equal((result.Folds[0][name] + result.Folds[1][name] + result.Folds[2][name]) / 3.0, mean, 12);
        }

        Assert.DoesNotContain(MetricNames.Rmse, result.Mean.Keys);
    }

    [Fact]
    public void Run_RatingPredictor_AlsoReportsRmseAndMae()
    {
        CrossValidationResult result = CrossValidation.Run(s_data, () => new BaselineRatingPredictor(), k: 2, seed: 1);

        Assert.Equal(["HR@10", "NDCG@10", "Precision@10", "Recall@10", "MAP@10", "MRR@10", "Coverage@10", "RMSE", "MAE"], result.Mean.Keys);
        Assert.All(result.Folds, fold => Assert.InRange(fold[MetricNames.Rmse], 0.1, 2.0));
    }

    [Fact]
    public void Run_SameSeed_GivesTheSameFigures()
    {
        var options = new RankingEvaluationOptions { K = 5 };
        CrossValidationResult first = CrossValidation.Run(s_data, () => new BaselineRatingPredictor(), k: 3, seed: 4, options);
        CrossValidationResult second = CrossValidation.Run(s_data, () => new BaselineRatingPredictor(), k: 3, seed: 4, options);

        Assert.Equal(first.Mean, second.Mean);
    }

    [Fact]
    public void Run_InvalidArguments_Throw()
    {
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => CrossValidation.Run(s_data, () => new PopularityRecommender(), k: 1, seed: 0)).ParamName);
        Assert.Equal("createModel", Assert.Throws<ArgumentNullException>(() => CrossValidation.Run(s_data, null!, k: 2, seed: 0)).ParamName);
        Assert.Throws<InvalidOperationException>(() => CrossValidation.Run(s_data, () => null!, k: 2, seed: 0));
    }
}
