using RecEngine.Data.Loading;
using RecEngine.Evaluation;
using RecEngine.Models.Popularity;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Integration;

/// <summary>
/// Cross-check of the evaluation harness on real data: the "most popular unseen" baseline under leave-last-out
/// with full ranking must land within 0.003 of another well-known library's figures on exactly this protocol
/// (MovieLens 100K: HR@10 0.0498, NDCG@10 0.0257; ml-latest-small: 0.0426, 0.0194). A larger gap means the
/// split, the exclusion of seen items or a metric is wrong.
/// </summary>
[Trait("Category", "Dataset")]
public sealed class MovieLensBaselineTests
{
    private const double Tolerance = 0.003;

    [DatasetFact(DatasetPaths.MovieLens100K)]
    public void Popularity_LeaveLastOut_MovieLens100K_MatchesReference()
    {
        var split = DatasetSplit.LeaveLastOut(MovieLens.Load100K(DatasetPaths.Require(DatasetPaths.MovieLens100K)));
        Assert.Equal(943, split.Test.Count);
        Assert.Equal(99_057, split.Train.Count);
        EvaluationResult result = Evaluate(split);
        Assert.Equal(943, result.UserCount);
        Assert.InRange(result["HR@10"], 0.0498 - Tolerance, 0.0498 + Tolerance);
        Assert.InRange(result["NDCG@10"], 0.0257 - Tolerance, 0.0257 + Tolerance);
    }

    [DatasetFact(DatasetPaths.MovieLensLatestSmall)]
    public void Popularity_LeaveLastOut_MovieLensLatestSmall_MatchesReference()
    {
        var split = DatasetSplit.LeaveLastOut(MovieLens.LoadLatest(DatasetPaths.Require(DatasetPaths.MovieLensLatestSmall)));
        Assert.Equal(610, split.Test.Count);
        Assert.Equal(100_226, split.Train.Count);
        EvaluationResult result = Evaluate(split);
        Assert.InRange(result["HR@10"], 0.0426 - Tolerance, 0.0426 + Tolerance);
        Assert.InRange(result["NDCG@10"], 0.0194 - Tolerance, 0.0194 + Tolerance);
    }

    private static EvaluationResult Evaluate(DatasetSplit split)
    {
        var model = new PopularityRecommender();
        model.Fit(split.Train);
        return RankingEvaluator.Evaluate(model, split);
    }
}
