using RecEngine.Data;
using RecEngine.Evaluation;
using RecEngine.Models.Baseline;
using RecEngine.Models.Factorization;
using RecEngine.Models.Popularity;

namespace RecEngine.Tests.Evaluation;

public sealed class HyperparameterSearchTests
{
    private static readonly InteractionDataset s_data = EvaluationData.SyntheticRatings(users: 60, items: 40, density: 0.3, seed: 11);

    private static IRecommender Create(string name) => name switch
    {
        "popularity" => new PopularityRecommender(),
        "baseline" => new BaselineRatingPredictor(),
        "als-strong-reg" => new ExplicitAlsRecommender(new ExplicitAlsOptions { Factors = 4, Regularization = 5f, Iterations = 5, DegreeOfParallelism = 1 }),
        "als" => new ExplicitAlsRecommender(new ExplicitAlsOptions { Factors = 4, Regularization = 0.1f, Iterations = 5, DegreeOfParallelism = 1 }),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Fact]
    public void Run_RankingMetric_PicksTheHighestValidationScore_AndRecordsEveryTrial()
    {
        DatasetSplit validation = DatasetSplit.LeaveLastOut(s_data);
        string[] candidates = ["popularity", "baseline", "als"];

        SearchResult<string> result = HyperparameterSearch.Run(candidates, Create, validation, MetricNames.HitRate(10));

        Assert.Equal(candidates, result.Trials.Select(t => t.Candidate));
        foreach (SearchTrial<string> trial in result.Trials)
        {
            // Each score is exactly what a separate fit and evaluation gives.
            IRecommender model = Create(trial.Candidate);
            model.Fit(validation.Train);
            Assert.Equal(RankingEvaluator.Evaluate(model, validation)[MetricNames.HitRate(10)], trial.Score);
        }

        double best = result.Trials.Max(t => t.Score);
        Assert.Equal(best, result.Best.Score);
        Assert.Equal(result.Trials.First(t => t.Score == best).Candidate, result.Best.Candidate);
    }

    [Fact]
    public void Run_SeveralSplits_ScoresEachCandidateByItsMeanOverThem()
    {
        DatasetSplit last = DatasetSplit.LeaveLastOut(s_data);
        DatasetSplit previous = DatasetSplit.LeaveLastOut(last.Train);
        string[] candidates = ["popularity", "als"];

        SearchResult<string> result = HyperparameterSearch.Run(candidates, Create, [last, previous], MetricNames.Ndcg(10));

        foreach (SearchTrial<string> trial in result.Trials)
        {
            double Score(DatasetSplit split)
            {
                IRecommender model = Create(trial.Candidate);
                model.Fit(split.Train);
                return RankingEvaluator.Evaluate(model, split)[MetricNames.Ndcg(10)];
            }

            Assert.Equal((Score(last) + Score(previous)) / 2, trial.Score, 12);
        }

        Assert.Equal(result.Trials.Max(t => t.Score), result.Best.Score);
        Assert.Equal("validations", Assert.Throws<ArgumentException>(() => HyperparameterSearch.Run(candidates, Create, Array.Empty<DatasetSplit>(), MetricNames.HitRate(10))).ParamName);
    }

    [Fact]
    public void Run_ErrorMetric_PicksTheLowest()
    {
        DatasetSplit validation = DatasetSplit.RandomHoldout(s_data, 0.2, seed: 3);

        SearchResult<string> result = HyperparameterSearch.Run(["als-strong-reg", "baseline", "als"], Create, validation, MetricNames.Rmse);

        Assert.Equal(result.Trials.Min(t => t.Score), result.Best.Score);
        Assert.True(result.Trials.Select(t => t.Score).Distinct().Count() > 1);
    }

    [Fact]
    public void Run_BadArguments_ThrowNamingThem()
    {
        DatasetSplit validation = DatasetSplit.LeaveLastOut(s_data);
        Assert.Equal("candidates", Assert.Throws<ArgumentException>(() => HyperparameterSearch.Run(Array.Empty<string>(), Create, validation, MetricNames.HitRate(10))).ParamName);
        Assert.Equal("metric", Assert.Throws<ArgumentException>(() => HyperparameterSearch.Run(["popularity"], Create, validation, "HR@11")).ParamName);
        Assert.Equal("metric", Assert.Throws<ArgumentException>(() => HyperparameterSearch.Run(["popularity"], Create, validation, MetricNames.Rmse)).ParamName);
    }
}
