using RecEngine.Data;
using RecEngine.Evaluation;
using RecEngine.Models.Baseline;
using RecEngine.Models.Popularity;

namespace RecEngine.Tests.Evaluation;

public sealed class RankingEvaluatorTests
{
    private const int Digits = 12;

    /// <summary>
    /// Items a, b, c, d, e (indices in that order). Leave-last-out holds out u1:c, u2:b, u3:e, u4:e, u6:c; u5 has one
    /// interaction and stays in training. Training popularity: a 4, b 3, e 2, c 1, d 1, so the popularity order is
    /// a, b, e, c, d (c before d by index).
    /// </summary>
    private static DatasetSplit HandMadeSplit() => DatasetSplit.LeaveLastOut(EvaluationData.Build(
        ("u1", "a", 1, 1), ("u1", "b", 1, 2), ("u1", "c", 1, 3),
        ("u2", "a", 1, 1), ("u2", "c", 1, 2), ("u2", "b", 1, 3),
        ("u3", "a", 1, 1), ("u3", "b", 1, 2), ("u3", "d", 1, 3), ("u3", "e", 1, 4),
        ("u4", "b", 1, 1), ("u4", "a", 1, 2), ("u4", "e", 1, 3),
        ("u5", "e", 1, 1),
        ("u6", "e", 1, 1), ("u6", "c", 1, 2)));

    private static PopularityRecommender FittedPopularity(DatasetSplit split)
    {
        var model = new PopularityRecommender();
        model.Fit(split.Train);
        return model;
    }

    [Fact]
    public void Evaluate_FullProtocolWithPopularity_MatchesHandComputedMetrics()
    {
        DatasetSplit split = HandMadeSplit();

        EvaluationResult result = RankingEvaluator.Evaluate(FittedPopularity(split), split, new RankingEvaluationOptions { K = 2 });

        // Top 2 without seen items, and the rank of the held-out item:
        //   u1 (seen a, b): [e, c], c at rank 1 -> HR 1, NDCG 1/log2 3, P 1/2, R 1, AP (1/2)/1, RR 1/2
        //   u2 (seen a, c): [b, e], b at rank 0 -> 1, 1, 1/2, 1, 1, 1
        //   u3 (seen a, b, d): [e, c], e at rank 0 -> 1, 1, 1/2, 1, 1, 1
        //   u4 (seen a, b): [e, c], e at rank 0 -> 1, 1, 1/2, 1, 1, 1
        //   u6 (seen e): [a, b], c missed -> all 0
        Assert.Equal(0.8, result["HR@2"], Digits);                     // 4/5
        Assert.Equal(0.7261859507142916, result["NDCG@2"], Digits);   // (0.6309297535714575 + 3) / 5
        Assert.Equal(0.4, result["Precision@2"], Digits);             // (4 * 1/2) / 5
        Assert.Equal(0.8, result["Recall@2"], Digits);                // 4/5
        Assert.Equal(0.7, result["MAP@2"], Digits);                   // (1/2 + 3) / 5
        Assert.Equal(0.7, result["MRR@2"], Digits);                   // (1/2 + 3) / 5
        Assert.Equal(0.8, result["Coverage@2"], Digits);              // {a, b, c, e} of 5 items
        Assert.Equal(5, result.UserCount);
        Assert.Equal(5, result.InteractionCount);
    }

    [Theory]
    [InlineData(1, 0.6, 0.6)]
    [InlineData(2, 0.8, 0.7261859507142916)]
    [InlineData(3, 1.0, 0.8261859507142916)]
    public void Evaluate_SampledProtocolWithPopularity_MatchesHandComputedMetricsAndIgnoresTies(int k, double hitRate, double ndcg)
    {
        DatasetSplit split = HandMadeSplit();

        // With 99 negatives wanted, every item the user never touched is a negative, so no randomness is involved.
        // Rank = negatives scored strictly above the held-out item (popularity a 4, b 3, e 2, c 1, d 1):
        //   u1: c (1) vs d (1), e (2) -> rank 1 (the tie with d does not count)
        //   u2: b (3) vs d, e        -> rank 0
        //   u3: e (2) vs c           -> rank 0
        //   u4: e (2) vs c, d        -> rank 0
        //   u6: c (1) vs a, b, d     -> rank 2 (the tie with d does not count)
        // HR@1 = 3/5, NDCG@1 = 3/5; HR@2 = 4/5, NDCG@2 = (1/log2 3 + 3)/5; HR@3 = 1, NDCG@3 = (1/log2 3 + 3 + 1/log2 4)/5.
        EvaluationResult result = RankingEvaluator.Evaluate(FittedPopularity(split), split, new RankingEvaluationOptions { K = k, Protocol = EvaluationProtocol.Sampled });

        Assert.Equal(hitRate, result[MetricNames.HitRate(k)], Digits);
        Assert.Equal(ndcg, result[MetricNames.Ndcg(k)], Digits);
        Assert.Equal(5, result.UserCount);
    }

    [Fact]
    public void Evaluate_FullProtocolWithSeveralTestItemsPerUser_MatchesANaiveReference()
    {
        // Random holdout leaves several test items for many users; the reference below applies the textbook
        // definitions to each user's top-5 list, written out without the library's metric code.
        InteractionDataset data = EvaluationData.SyntheticRatings(users: 60, items: 25, density: 0.4, seed: 13);
        DatasetSplit split = DatasetSplit.RandomHoldout(data, 0.3, seed: 2);
        var model = new BaselineRatingPredictor();
        model.Fit(split.Train);
        const int K = 5;

        EvaluationResult result = RankingEvaluator.Evaluate(model, split, new RankingEvaluationOptions { K = K });

        var relevantByUser = EvaluationData.Rows(split.Test).GroupBy(r => r.User).ToDictionary(g => g.Key, g => g.Select(r => r.Item).ToHashSet());
        var sums = new double[6];
        var recommended = new HashSet<string>();
        foreach ((string user, HashSet<string> relevant) in relevantByUser)
        {
            string[] list = model.Recommend(user, K).Select(s => s.ItemId).ToArray();
            recommended.UnionWith(list);
            int[] hitRanks = Enumerable.Range(0, list.Length).Where(i => relevant.Contains(list[i])).ToArray();
            double dcg = hitRanks.Sum(i => 1.0 / Math.Log2(i + 2));
            double idcg = Enumerable.Range(0, Math.Min(K, relevant.Count)).Sum(i => 1.0 / Math.Log2(i + 2));
            double ap = hitRanks.Select((rank, n) => (n + 1.0) / (rank + 1.0)).Sum() / Math.Min(K, relevant.Count);
            sums[0] += hitRanks.Length > 0 ? 1 : 0;
            sums[1] += dcg / idcg;
            sums[2] += hitRanks.Length / (double)K;
            sums[3] += hitRanks.Length / (double)relevant.Count;
            sums[4] += ap;
            sums[5] += hitRanks.Length > 0 ? 1.0 / (hitRanks[0] + 1) : 0;
        }

        Assert.True(relevantByUser.Values.Count(r => r.Count > 1) > 10);
        Assert.Equal(relevantByUser.Count, result.UserCount);
        string[] names = ["HR@5", "NDCG@5", "Precision@5", "Recall@5", "MAP@5", "MRR@5"];
        for (int m = 0; m < names.Length; m++)
        {
            Assert.Equal(sums[m] / relevantByUser.Count, result[names[m]], 12);
        }

        Assert.Equal(recommended.Count / (double)data.ItemCount, result["Coverage@5"], 12);
    }

    [Fact]
    public void Evaluate_Protocols_ReportCanonicalMetricNamesInOrder()
    {
        DatasetSplit split = HandMadeSplit();
        PopularityRecommender model = FittedPopularity(split);

        EvaluationResult full = RankingEvaluator.Evaluate(model, split);
        EvaluationResult sampled = RankingEvaluator.Evaluate(model, split, new RankingEvaluationOptions { Protocol = EvaluationProtocol.Sampled });

        Assert.Equal(["HR@10", "NDCG@10", "Precision@10", "Recall@10", "MAP@10", "MRR@10", "Coverage@10"], full.Metrics.Keys);
        Assert.Equal(["HR@10", "NDCG@10"], sampled.Metrics.Keys);
    }

    [Theory]
    [InlineData(EvaluationProtocol.Full)]
    [InlineData(EvaluationProtocol.Sampled)]
    public void Evaluate_AnyDegreeOfParallelism_GivesIdenticalResults(EvaluationProtocol protocol)
    {
        DatasetSplit split = DatasetSplit.LeaveLastOut(EvaluationData.SyntheticRatings(users: 300, items: 80, density: 0.15, seed: 11));
        var model = new BaselineRatingPredictor();
        model.Fit(split.Train);

        EvaluationResult sequential = RankingEvaluator.Evaluate(model, split, new RankingEvaluationOptions { Protocol = protocol, NegativeSampleCount = 20, MaxDegreeOfParallelism = 1 });
        EvaluationResult parallel = RankingEvaluator.Evaluate(model, split, new RankingEvaluationOptions { Protocol = protocol, NegativeSampleCount = 20, MaxDegreeOfParallelism = 8 });

        Assert.Equal(sequential.Metrics, parallel.Metrics);
        Assert.Equal(sequential.UserCount, parallel.UserCount);
    }

    [Fact]
    public void Evaluate_SampledProtocol_DrawsDistinctNegativesTheUserNeverTouched()
    {
        InteractionDataset data = EvaluationData.SyntheticRatings(users: 40, items: 30, density: 0.3, seed: 4);
        DatasetSplit split = DatasetSplit.RandomHoldout(data, 0.2, seed: 9);
        var model = new RecordingRecommender(new PopularityRecommender());
        model.Fit(split.Train);

        RankingEvaluator.Evaluate(model, split, new RankingEvaluationOptions { Protocol = EvaluationProtocol.Sampled, NegativeSampleCount = 5 });

        var touched = EvaluationData.Rows(data).ToLookup(r => r.User, r => r.Item);
        Assert.Equal(split.Test.Count, model.ScoreRequests.Count);
        foreach ((string userId, string[] candidates) in model.ScoreRequests)
        {
            var userItems = touched[userId].ToHashSet();
            int eligible = data.ItemCount - userItems.Count;
            Assert.Contains(candidates[0], userItems);
            Assert.Equal(Math.Min(5, eligible), candidates.Length - 1);
            Assert.Equal(candidates.Length - 1, candidates.Skip(1).Distinct().Count());
            Assert.DoesNotContain(candidates.Skip(1), userItems.Contains);
        }
    }

    [Fact]
    public void Evaluate_SampledProtocol_NegativesDependOnlyOnTheSeed()
    {
        DatasetSplit split = DatasetSplit.LeaveLastOut(EvaluationData.SyntheticRatings(users: 60, items: 40, density: 0.2, seed: 6));

        string[] Negatives(int seed, int threads)
        {
            var model = new RecordingRecommender(new PopularityRecommender());
            model.Fit(split.Train);
            RankingEvaluator.Evaluate(model, split, new RankingEvaluationOptions { Protocol = EvaluationProtocol.Sampled, NegativeSampleCount = 7, Seed = seed, MaxDegreeOfParallelism = threads });
            return model.ScoreRequests.Select(r => $"{r.UserId}:{string.Join(',', r.ItemIds)}").Order(StringComparer.Ordinal).ToArray();
        }

        Assert.Equal(Negatives(seed: 1, threads: 1), Negatives(seed: 1, threads: 6));
        Assert.NotEqual(Negatives(seed: 1, threads: 1), Negatives(seed: 2, threads: 1));
    }

    [Fact]
    public void Evaluate_TestUserUnknownToTheModel_IsEvaluatedWithThePopularityFallback()
    {
        // "new" first appears after the cutoff; kept by default, the model serves it the most popular items.
        InteractionDataset data = EvaluationData.Build(
            ("u1", "a", 1, 1), ("u2", "a", 1, 2), ("u2", "b", 1, 3), ("u1", "c", 1, 10), ("new", "a", 1, 11));
        DatasetSplit kept = DatasetSplit.TemporalByCutoff(data, DateTimeOffset.FromUnixTimeMilliseconds(5));
        DatasetSplit skipped = DatasetSplit.TemporalByCutoff(data, DateTimeOffset.FromUnixTimeMilliseconds(5), ColdStartUsers.Skip);
        var options = new RankingEvaluationOptions { K = 1 };

        // u1 (seen a) gets [b] and misses c; "new" gets [a], the most popular item, and hits.
        EvaluationResult withNew = RankingEvaluator.Evaluate(FittedPopularity(kept), kept, options);
        EvaluationResult withoutNew = RankingEvaluator.Evaluate(FittedPopularity(skipped), skipped, options);

        Assert.Equal(2, withNew.UserCount);
        Assert.Equal(0.5, withNew["HR@1"], Digits);
        Assert.Equal(1, withoutNew.UserCount);
        Assert.Equal(0.0, withoutNew["HR@1"], Digits);
    }

    [Fact]
    public void Evaluate_EmptyTestSet_ReportsNaNMeansAndNoUsers()
    {
        InteractionDataset data = EvaluationData.Build(("u", "a", 1, 1), ("v", "b", 1, 2));
        DatasetSplit split = DatasetSplit.LeaveLastOut(data);

        EvaluationResult result = RankingEvaluator.Evaluate(FittedPopularity(split), split);

        Assert.Equal(0, result.UserCount);
        Assert.True(double.IsNaN(result["HR@10"]));
        Assert.Equal(0.0, result["Coverage@10"]);
    }

    [Fact]
    public void Evaluate_UnfittedModelOrInvalidOptions_Throws()
    {
        DatasetSplit split = HandMadeSplit();
        Assert.Throws<InvalidOperationException>(() => RankingEvaluator.Evaluate(new PopularityRecommender(), split));

        PopularityRecommender model = FittedPopularity(split);
        Assert.Equal("K", Assert.Throws<ArgumentOutOfRangeException>(() => RankingEvaluator.Evaluate(model, split, new RankingEvaluationOptions { K = 0 })).ParamName);
        Assert.Equal("NegativeSampleCount", Assert.Throws<ArgumentOutOfRangeException>(() => RankingEvaluator.Evaluate(model, split, new RankingEvaluationOptions { NegativeSampleCount = 0 })).ParamName);
        Assert.Equal("MaxDegreeOfParallelism", Assert.Throws<ArgumentOutOfRangeException>(() => RankingEvaluator.Evaluate(model, split, new RankingEvaluationOptions { MaxDegreeOfParallelism = 0 })).ParamName);
        Assert.Equal("Protocol", Assert.Throws<ArgumentOutOfRangeException>(() => RankingEvaluator.Evaluate(model, split, new RankingEvaluationOptions { Protocol = (EvaluationProtocol)9 })).ParamName);
        Assert.Equal("recommender", Assert.Throws<ArgumentNullException>(() => RankingEvaluator.Evaluate(null!, split)).ParamName);
    }

    [Fact]
    public void Evaluate_ModelThatThrows_PropagatesItsExceptionUnwrapped()
    {
        DatasetSplit split = HandMadeSplit();
        var model = new FailingRecommender(FittedPopularity(split));

        Assert.Throws<NotSupportedException>(() => RankingEvaluator.Evaluate(model, split, new RankingEvaluationOptions { MaxDegreeOfParallelism = 1 }));
    }

    [Fact]
    public void Evaluate_CancelledToken_Throws()
    {
        DatasetSplit split = HandMadeSplit();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => RankingEvaluator.Evaluate(FittedPopularity(split), split, cancellationToken: cancelled.Token));
    }

    private sealed class FailingRecommender(IRecommender inner) : IRecommender
    {
        public string Name => "failing";

        public bool IsFitted => inner.IsFitted;

        public void Fit(InteractionDataset dataset, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) => inner.Fit(dataset, progress, cancellationToken);

        public bool IsKnownUser(string userId) => inner.IsKnownUser(userId);

        public int Recommend(string userId, Span<ScoredItem> destination, RecommendOptions? options = null) => throw new NotSupportedException("No recommendations here.");

        public IReadOnlyList<ScoredItem> Recommend(string userId, int count, RecommendOptions? options = null) => throw new NotSupportedException("No recommendations here.");

        public void Score(string userId, ReadOnlySpan<string> itemIds, Span<float> scores) => inner.Score(userId, itemIds, scores);

        public int SimilarItems(string itemId, Span<ScoredItem> destination, RecommendOptions? options = null) => inner.SimilarItems(itemId, destination, options);

        public IReadOnlyList<ScoredItem> SimilarItems(string itemId, int count, RecommendOptions? options = null) => inner.SimilarItems(itemId, count, options);
    }
}
