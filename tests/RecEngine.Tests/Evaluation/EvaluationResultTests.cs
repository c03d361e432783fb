using RecEngine.Evaluation;

namespace RecEngine.Tests.Evaluation;

public sealed class EvaluationResultTests
{
    [Fact]
    public void MetricNames_AtTen_AreTheCanonicalNames()
    {
        Assert.Equal(
            ["HR@10", "NDCG@10", "Precision@10", "Recall@10", "MAP@10", "MRR@10", "Coverage@10", "RMSE", "MAE"],
            [
                MetricNames.HitRate(10), MetricNames.Ndcg(10), MetricNames.Precision(10), MetricNames.Recall(10),
                MetricNames.MeanAveragePrecision(10), MetricNames.MeanReciprocalRank(10), MetricNames.Coverage(10),
                MetricNames.Rmse, MetricNames.Mae,
            ]);
    }

    [Fact]
    public void Indexer_KnownAndUnknownNames_ReturnsTheValueOrThrows()
    {
        var result = new EvaluationResult([new("HR@10", 0.25)], userCount: 4, interactionCount: 4, TimeSpan.FromSeconds(1));

        Assert.Equal(0.25, result["HR@10"]);
        Assert.Throws<KeyNotFoundException>(() => result["NDCG@10"]);
        Assert.Equal("HR@10=0.2500 (users=4, interactions=4)", result.ToString());
    }

    [Fact]
    public void Constructor_RepeatedNameOrNegativeCount_Throws()
    {
        Assert.Equal("metrics", Assert.Throws<ArgumentException>(() => new EvaluationResult([new("RMSE", 1), new("RMSE", 2)], 1, 1, TimeSpan.Zero)).ParamName);
        Assert.Equal("userCount", Assert.Throws<ArgumentOutOfRangeException>(() => new EvaluationResult([], -1, 1, TimeSpan.Zero)).ParamName);
    }
}
