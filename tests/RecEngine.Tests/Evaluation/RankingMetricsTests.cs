using FsCheck;
using FsCheck.Xunit;
using RecEngine.Evaluation;

namespace RecEngine.Tests.Evaluation;

public sealed class RankingMetricsTests
{
    private const int Digits = 12;

    // Ranked [a, b, c, d], relevant {b, d}: relevance flags [F, T, F, T], R = 2.
    private static readonly bool[] s_bAndDRelevant = [false, true, false, true];

    [Fact]
    public void Precision_TwoRelevantAtRanks2And4_IsHitsOverK()
    {
        // P@4 = 2/4; P@2 = 1/2; P@1 = 0/1.
        Assert.Equal(0.5, RankingMetrics.Precision(s_bAndDRelevant, 4), Digits);
        Assert.Equal(0.5, RankingMetrics.Precision(s_bAndDRelevant, 2), Digits);
        Assert.Equal(0.0, RankingMetrics.Precision(s_bAndDRelevant, 1), Digits);
    }

    [Fact]
    public void Recall_TwoRelevantAtRanks2And4_IsHitsOverRelevantCount()
    {
        // R@4 = 2/2; R@2 = 1/2; with 4 relevant items in all, R@4 = 2/4.
        Assert.Equal(1.0, RankingMetrics.Recall(s_bAndDRelevant, 2, 4), Digits);
        Assert.Equal(0.5, RankingMetrics.Recall(s_bAndDRelevant, 2, 2), Digits);
        Assert.Equal(0.5, RankingMetrics.Recall(s_bAndDRelevant, 4, 4), Digits);
    }

    [Fact]
    public void HitRate_TwoRelevantAtRanks2And4_IsOneOnceTheFirstHitIsInTheList()
    {
        Assert.Equal(0.0, RankingMetrics.HitRate(s_bAndDRelevant, 1));
        Assert.Equal(1.0, RankingMetrics.HitRate(s_bAndDRelevant, 2));
        Assert.Equal(1.0, RankingMetrics.HitRate(s_bAndDRelevant, 4));
    }

    [Fact]
    public void Ndcg_TwoRelevantAtRanks2And4_MatchesHandComputedValue()
    {
        // NDCG@4 = (1/log2 3 + 1/log2 5) / (1 + 1/log2 3) = (0.6309297535714575 + 0.43067655807339306) / 1.6309297535714575.
        Assert.Equal(0.6509209298071326, RankingMetrics.Ndcg(s_bAndDRelevant, 2, 4), Digits);

        // NDCG@2 = (1/log2 3) / (1 + 1/log2 3) = 0.6309297535714575 / 1.6309297535714575.
        Assert.Equal(0.38685280723454163, RankingMetrics.Ndcg(s_bAndDRelevant, 2, 2), Digits);
    }

    [Fact]
    public void Ndcg_TwoRelevantAtRanks1And3_MatchesHandComputedValue()
    {
        // Flags [T, F, T]: DCG@3 = 1/log2 2 + 1/log2 4 = 1 + 0.5; IDCG@3 = 1 + 1/log2 3 = 1.6309297535714575.
        Assert.Equal(0.9197207891481876, RankingMetrics.Ndcg([true, false, true], 2, 3), Digits);
    }

    [Fact]
    public void AveragePrecision_TwoRelevantAtRanks2And4_MatchesHandComputedValue()
    {
        // AP@4 = (P@2 + P@4) / min(4, 2) = (1/2 + 2/4) / 2 = 0.5.
        Assert.Equal(0.5, RankingMetrics.AveragePrecision(s_bAndDRelevant, 2, 4), Digits);

        // AP@2 = (P@2) / min(2, 2) = (1/2) / 2 = 0.25.
        Assert.Equal(0.25, RankingMetrics.AveragePrecision(s_bAndDRelevant, 2, 2), Digits);
    }

    [Fact]
    public void AveragePrecision_MoreRelevantThanK_NormalisesByK()
    {
        // Flags [T, T], R = 5, k = 2: AP@2 = (1/1 + 2/2) / min(2, 5) = 2 / 2 = 1.
        Assert.Equal(1.0, RankingMetrics.AveragePrecision([true, true], 5, 2), Digits);

        // Recall@2 = 2/5, and IDCG covers min(2, 5) = 2 items, so NDCG@2 = 1.
        Assert.Equal(0.4, RankingMetrics.Recall([true, true], 5, 2), Digits);
        Assert.Equal(1.0, RankingMetrics.Ndcg([true, true], 5, 2), Digits);
    }

    [Fact]
    public void ReciprocalRank_FirstRelevantAtRank3_IsOneThird()
    {
        // First hit at 0-based rank 2: RR = 1/(2 + 1).
        Assert.Equal(1.0 / 3.0, RankingMetrics.ReciprocalRank([false, false, true, true], 4), Digits);
        Assert.Equal(0.5, RankingMetrics.ReciprocalRank(s_bAndDRelevant, 4), Digits);

        // The hit is outside the top 2.
        Assert.Equal(0.0, RankingMetrics.ReciprocalRank([false, false, true], 2), Digits);
    }

    [Fact]
    public void AllMetrics_NoRelevantItems_AreZero()
    {
        bool[] none = [false, false, false];
        Assert.Equal(0.0, RankingMetrics.Precision(none, 3));
        Assert.Equal(0.0, RankingMetrics.Recall(none, 0, 3));
        Assert.Equal(0.0, RankingMetrics.HitRate(none, 3));
        Assert.Equal(0.0, RankingMetrics.Ndcg(none, 0, 3));
        Assert.Equal(0.0, RankingMetrics.AveragePrecision(none, 0, 3));
        Assert.Equal(0.0, RankingMetrics.ReciprocalRank(none, 3));
    }

    [Fact]
    public void AllMetrics_EmptyList_AreZero()
    {
        Assert.Equal(0.0, RankingMetrics.Precision([], 10));
        Assert.Equal(0.0, RankingMetrics.Recall([], 3, 10));
        Assert.Equal(0.0, RankingMetrics.HitRate([], 10));
        Assert.Equal(0.0, RankingMetrics.Ndcg([], 3, 10));
        Assert.Equal(0.0, RankingMetrics.AveragePrecision([], 3, 10));
        Assert.Equal(0.0, RankingMetrics.ReciprocalRank([], 10));
    }

    [Fact]
    public void AllMetrics_KLargerThanTheList_PadWithNonRelevantItems()
    {
        // One item, relevant, R = 1, k = 5: P@5 = 1/5; R@5 = 1/1; NDCG = 1/1; AP = (1/1)/min(5, 1) = 1; RR = 1.
        Assert.Equal(0.2, RankingMetrics.Precision([true], 5), Digits);
        Assert.Equal(1.0, RankingMetrics.Recall([true], 1, 5), Digits);
        Assert.Equal(1.0, RankingMetrics.Ndcg([true], 1, 5), Digits);
        Assert.Equal(1.0, RankingMetrics.AveragePrecision([true], 1, 5), Digits);
        Assert.Equal(1.0, RankingMetrics.ReciprocalRank([true], 5), Digits);

        // Flags [F, T], R = 3, k = 10: P = 1/10; R = 1/3; AP = (1/2)/min(10, 3) = 1/6;
        // NDCG = (1/log2 3) / (1 + 1/log2 3 + 1/log2 4) = 0.6309297535714575 / 2.1309297535714575.
        Assert.Equal(0.1, RankingMetrics.Precision([false, true], 10), Digits);
        Assert.Equal(1.0 / 3.0, RankingMetrics.Recall([false, true], 3, 10), Digits);
        Assert.Equal(1.0 / 6.0, RankingMetrics.AveragePrecision([false, true], 3, 10), Digits);
        Assert.Equal(0.2960819109658652, RankingMetrics.Ndcg([false, true], 3, 10), Digits);
    }

    [Fact]
    public void AllMetrics_RelevantItemsBeyondK_AreIgnored()
    {
        bool[] lateHit = [false, false, true];
        Assert.Equal(0.0, RankingMetrics.Precision(lateHit, 2));
        Assert.Equal(0.0, RankingMetrics.Recall(lateHit, 1, 2));
        Assert.Equal(0.0, RankingMetrics.HitRate(lateHit, 2));
        Assert.Equal(0.0, RankingMetrics.Ndcg(lateHit, 1, 2));
        Assert.Equal(0.0, RankingMetrics.AveragePrecision(lateHit, 1, 2));
        Assert.Equal(0.0, RankingMetrics.ReciprocalRank(lateHit, 2));
    }

    [Fact]
    public void SingleItemMetrics_AtRank_MatchLeaveOneOutFormulas()
    {
        // HR@10 = 1 on a hit; NDCG@10 = 1/log2(rank + 2): rank 0 -> 1, rank 3 -> 1/log2 5 = 0.43067655807339306.
        Assert.Equal(1.0, RankingMetrics.HitRateAtRank(9, 10));
        Assert.Equal(0.0, RankingMetrics.HitRateAtRank(10, 10));
        Assert.Equal(1.0, RankingMetrics.NdcgAtRank(0, 10), Digits);
        Assert.Equal(0.43067655807339306, RankingMetrics.NdcgAtRank(3, 10), Digits);
        Assert.Equal(0.0, RankingMetrics.NdcgAtRank(10, 10));
        Assert.Equal(0.0, RankingMetrics.NdcgAtRank(int.MaxValue, 10));
    }

    [Fact]
    public void CatalogCoverage_TwoOfFiveItemsRecommended_IsTwoFifths()
    {
        Assert.Equal(0.4, RankingMetrics.CatalogCoverage([true, false, true, false, false]), Digits);
        Assert.Equal(0.0, RankingMetrics.CatalogCoverage([]));
    }

    [Fact]
    public void MarkRelevant_RepeatedRelevantItem_CountsOnce()
    {
        // Ranked [a, b, c, b, d], relevant {b, d}: the second b is not a new hit.
        var relevance = new bool[5];
        int hits = RankingMetrics.MarkRelevant<string>(["a", "b", "c", "b", "d"], new HashSet<string> { "b", "d" }, relevance);
        Assert.Equal(2, hits);
        Assert.Equal([false, true, false, false, true], relevance);
    }

    [Fact]
    public void Metrics_InvalidArguments_ThrowNamingTheParameter()
    {
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => RankingMetrics.Precision([true], 0)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => RankingMetrics.Ndcg([true], 1, 0)).ParamName);
        Assert.Equal("relevantCount", Assert.Throws<ArgumentOutOfRangeException>(() => RankingMetrics.Recall([true, true], 1, 2)).ParamName);
        Assert.Equal("relevantCount", Assert.Throws<ArgumentOutOfRangeException>(() => RankingMetrics.Ndcg([false], -1, 1)).ParamName);
        Assert.Equal("relevantCount", Assert.Throws<ArgumentOutOfRangeException>(() => RankingMetrics.AveragePrecision([true], 0, 1)).ParamName);
        Assert.Equal("rank", Assert.Throws<ArgumentOutOfRangeException>(() => RankingMetrics.NdcgAtRank(-1, 1)).ParamName);
        Assert.Equal("relevance", Assert.Throws<ArgumentException>(() => RankingMetrics.MarkRelevant<string>(["a", "b"], new HashSet<string>(), new bool[1])).ParamName);
    }

    [Property]
    public bool RankingMetrics_AreBetweenZeroAndOne(bool[] relevance, PositiveInt k, NonNegativeInt extraRelevant)
    {
        int relevantCount = Hits(relevance, k.Get) + (extraRelevant.Get % 20);
        double[] values =
        [
            RankingMetrics.Precision(relevance, k.Get),
            RankingMetrics.Recall(relevance, relevantCount, k.Get),
            RankingMetrics.HitRate(relevance, k.Get),
            RankingMetrics.Ndcg(relevance, relevantCount, k.Get),
            RankingMetrics.AveragePrecision(relevance, relevantCount, k.Get),
            RankingMetrics.ReciprocalRank(relevance, k.Get),
        ];
        return values.All(v => v is >= 0.0 and <= 1.0);
    }

    [Property]
    public bool Ndcg_IsOne_IffTheFirstMinKRelevantPositionsAreAllRelevant(bool[] relevance, PositiveInt k, NonNegativeInt extraRelevant)
    {
        int relevantCount = Math.Max(1, Hits(relevance, k.Get) + (extraRelevant.Get % 5));
        int ideal = Math.Min(k.Get, relevantCount);
        bool idealPrefix = relevance.Length >= ideal && relevance.AsSpan(0, ideal).IndexOf(false) < 0;
        return (RankingMetrics.Ndcg(relevance, relevantCount, k.Get) == 1.0) == idealPrefix;
    }

    [Property]
    public bool HitRate_IsAtLeastPrecisionAndRecall(bool[] relevance, PositiveInt k, NonNegativeInt extraRelevant)
    {
        int relevantCount = Hits(relevance, k.Get) + (extraRelevant.Get % 20);
        double hitRate = RankingMetrics.HitRate(relevance, k.Get);
        return hitRate >= RankingMetrics.Precision(relevance, k.Get) && hitRate >= RankingMetrics.Recall(relevance, relevantCount, k.Get);
    }

    [Property]
    public bool ListMetrics_WithOneRelevantItem_ReduceToTheSingleItemFormulas(NonNegativeInt rank, PositiveInt k)
    {
        int r = rank.Get % 50;
        var relevance = new bool[r + 1];
        relevance[r] = true;
        return RankingMetrics.Ndcg(relevance, 1, k.Get) == RankingMetrics.NdcgAtRank(r, k.Get)
            && RankingMetrics.HitRate(relevance, k.Get) == RankingMetrics.HitRateAtRank(r, k.Get)
            && RankingMetrics.AveragePrecision(relevance, 1, k.Get) == RankingMetrics.ReciprocalRank(relevance, k.Get);
    }

    private static int Hits(bool[] relevance, int k) => relevance.Take(k).Count(hit => hit);
}
