using RecEngine.Data;
using RecEngine.Data.Synthetic;
using RecEngine.Evaluation;
using RecEngine.Models.Hybrid;
using RecEngine.Models.Neighborhood;
using RecEngine.Models.Popularity;

namespace RecEngine.Tests.Models.Hybrid;

public sealed class HybridTests
{
    private static readonly Lazy<InteractionDataset> Data = new(() => SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions
    {
        UserCount = 250,
        ItemCount = 120,
        InteractionCount = 6_000,
        MinInteractionsPerUser = 5,
        Feedback = SyntheticFeedback.ImplicitEvents,
    }));

    private static int Index(InteractionDataset data, string id) => data.Items.TryGetIndex(id, out int index) ? index : -1;

    private static string[] AllItems(InteractionDataset data) => [.. Enumerable.Range(0, data.ItemCount).Select(data.Items.GetId)];

    [Fact]
    public void Reranking_ReordersTheFirstStagesTopM_ByTheSecondStage_ThenKeepsTheFirstStagesOrder()
    {
        InteractionDataset data = Data.Value;
        var popularity = new PopularityRecommender();
        var knn = new ItemKnnRecommender();
        var pipeline = new RerankingRecommender(popularity, knn, candidateCount: 5);
        pipeline.Fit(data);

        foreach (int u in new[] { 0, 9, 77, 180 })
        {
            string user = data.Users.GetId(u);
            IReadOnlyList<ScoredItem> candidates = popularity.Recommend(user, 8);
            string[] top = [.. candidates.Take(5).Select(c => c.ItemId)];
            var second = new float[5];
            knn.Score(user, top, second);
            string[] expected = [.. top.Select((id, i) => (id, score: second[i], i)).OrderByDescending(t => t.score).ThenBy(t => Index(data, t.id)).Select(t => t.id), .. candidates.Skip(5).Select(c => c.ItemId)];

            Assert.Equal(expected, pipeline.Recommend(user, 8).Select(r => r.ItemId));
            Assert.All(pipeline.Recommend(user, 8).Take(5), r => Assert.InRange(r.Score, 2f, 3f));
            Assert.All(pipeline.Recommend(user, 8).Skip(5), r => Assert.InRange(r.Score, 0f, 1f));
        }

        Assert.Equal("item-knn-rerank-popularity", pipeline.Name);
    }

    [Fact]
    public void AHybridWithAllWeightOnOnePart_RanksAsThatPart()
    {
        InteractionDataset data = Data.Value;
        var knn = new ItemKnnRecommender();
        var hybrid = new HybridRecommender([(knn, 1.0), (new PopularityRecommender(), 0.0)]);
        hybrid.Fit(data);

        for (int u = 0; u < data.UserCount; u += 25)
        {
            string user = data.Users.GetId(u);
            Assert.Equal(knn.Recommend(user, 10).Select(r => r.ItemId), hybrid.Recommend(user, 10).Select(r => r.ItemId));
        }
    }

    [Fact]
    public void AnEvenHybrid_IsTheSumOfStandardisedScores()
    {
        InteractionDataset data = Data.Value;
        var knn = new ItemKnnRecommender();
        var popularity = new PopularityRecommender();
        var hybrid = new HybridRecommender([(knn, 0.5), (popularity, 0.5)]);
        hybrid.Fit(data);
        string[] items = AllItems(data);

        foreach (int u in new[] { 3, 42, 199 })
        {
            string user = data.Users.GetId(u);
            double[] expected = new double[items.Length];
            foreach (IRecommender part in new IRecommender[] { knn, popularity })
            {
                var scores = new float[items.Length];
                part.Score(user, items, scores);
                double mean = scores.Average(s => (double)s);
                double deviation = Math.Sqrt(scores.Average(s => ((double)s - mean) * ((double)s - mean)));
                for (int i = 0; i < items.Length; i++)
                {
                    expected[i] += 0.5 * (scores[i] - mean) / deviation;
                }
            }

            var actual = new float[items.Length];
            hybrid.Score(user, items, actual);
            for (int i = 0; i < items.Length; i++)
            {
                Assert.Equal(expected[i], actual[i], 3);
            }
        }
    }

    [Fact]
    public void LearnedWeights_ComeFromTheGrid_AndFavourThePersonalPartOverPopularity()
    {
        InteractionDataset data = Data.Value;
        var hybrid = new HybridRecommender(
            [(new ItemKnnRecommender(), 0.5), (new PopularityRecommender(), 0.5)],
            new HybridOptions { LearnWeights = true, WeightStep = 0.25, Validation = new RankingEvaluationOptions { Protocol = EvaluationProtocol.Sampled } });
        var progress = new TestUtilities.SynchronousProgress<TrainingProgress>();
        hybrid.Fit(data, progress);

        Assert.Equal(5, progress.Reports.Count(r => r.Stage == "weights"));
        Assert.Contains(hybrid.Weights[0], new[] { 0.0, 0.25, 0.5, 0.75, 1.0 });
        Assert.Equal(1.0, hybrid.Weights.Sum(), 9);
        Assert.True(hybrid.Weights[0] >= 0.5, $"weights {string.Join(", ", hybrid.Weights)}");
    }

    [Fact]
    public void SearchWeights_ScoresEveryGridPointAsAFixedBlendFittedOnTheValidationTrain_AndKeepsTheBest()
    {
        DatasetSplit validation = DatasetSplit.LeaveLastOut(Data.Value);
        var sampled = new RankingEvaluationOptions { Protocol = EvaluationProtocol.Sampled, NegativeSampleCount = 30, Seed = 3 };
        var hybrid = new HybridRecommender(
            [(new ItemKnnRecommender(), 0.5), (new PopularityRecommender(), 0.5)],
            new HybridOptions { WeightStep = 0.25, Validation = sampled });

        SearchResult<IReadOnlyList<double>> search = hybrid.SearchWeights(validation);
        (SearchResult<IReadOnlyList<double>> again, IReadOnlyList<double> ndcgs) = hybrid.SearchWeightsWithNdcg([validation]);
        Assert.Equal(search.Trials.Select(t => t.Score), again.Trials.Select(t => t.Score));

        // The reference: each weight vector as its own hybrid with fixed weights, fitted and evaluated from scratch
        // (no scores kept between weight vectors).
        double[][] grid = [[0, 1], [0.25, 0.75], [0.5, 0.5], [0.75, 0.25], [1, 0]];
        Assert.Equal(grid.Length, search.Trials.Count);
        var expected = new List<(double HitRate, double Ndcg)>();
        for (int g = 0; g < grid.Length; g++)
        {
            Assert.Equal(grid[g], search.Trials[g].Candidate);
            var reference = new HybridRecommender([(new ItemKnnRecommender(), grid[g][0]), (new PopularityRecommender(), grid[g][1])]);
            reference.Fit(validation.Train);
            EvaluationResult result = RankingEvaluator.Evaluate(reference, validation, sampled);
            expected.Add((result[MetricNames.HitRate(10)], result[MetricNames.Ndcg(10)]));
            Assert.Equal(expected[g].HitRate, search.Trials[g].Score, 12);
            Assert.Equal(expected[g].Ndcg, ndcgs[g], 12);
        }

        int best = 0;
        for (int g = 1; g < grid.Length; g++)
        {
            if (expected[g].HitRate > expected[best].HitRate || (expected[g].HitRate == expected[best].HitRate && expected[g].Ndcg > expected[best].Ndcg))
            {
                best = g;
            }
        }

        Assert.Equal(grid[best], search.Best.Candidate);

        // Not a flat curve: the weights matter on this data, so choosing among them is a real test.
        Assert.True(expected.Max(e => e.HitRate) > expected.Min(e => e.HitRate), $"every weight scores {expected[0].HitRate}");
    }

    [Fact]
    public void BadConfigurations_AreRefused()
    {
        var knn = new ItemKnnRecommender();
        Assert.Throws<ArgumentException>(() => new HybridRecommender([(knn, 1.0)]));
        Assert.Throws<ArgumentException>(() => new HybridRecommender([(knn, 1.0), (knn, 1.0)]));
        Assert.Throws<ArgumentException>(() => new HybridRecommender([(knn, 0.0), (new PopularityRecommender(), 0.0)]));
        Assert.Throws<ArgumentException>(() => new HybridRecommender([(knn, double.NaN), (new PopularityRecommender(), 1.0)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HybridOptions { WeightStep = 0.3 }.Validate());
        Assert.Throws<ArgumentException>(() => new RerankingRecommender(knn, knn));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RerankingRecommender(knn, new PopularityRecommender(), 0));
    }
}

public sealed class DiversityRerankerTests
{
    /// <summary>
    /// Six coffee items, all more popular than six tea items (c0 the most popular, t5 the least); each item's only
    /// attribute is its category, so the content model's similarity is 1 within a category and 0 across.
    /// </summary>
    private static InteractionDataset Shop()
    {
        var builder = new InteractionDatasetBuilder();
        string[] items = [.. Enumerable.Range(0, 6).Select(i => $"c{i}"), .. Enumerable.Range(0, 6).Select(i => $"t{i}")];
        for (int rank = 0; rank < items.Length; rank++)
        {
            builder.SetItemAttributes(items[rank], new ItemAttributes { Categories = [items[rank][0] == 'c' ? "coffee" : "tea"] });
            for (int u = 0; u < 30 - (2 * rank); u++)
            {
                builder.Add($"u{u}", items[rank], 1f, rank, EventKind.Purchase);
            }
        }

        return builder.Build();
    }

    [Fact]
    public void TradeOffOne_KeepsTheInnerOrder_AndOneHalf_AlternatesCategoriesAsMmrDictates()
    {
        InteractionDataset data = Shop();
        var popularity = new PopularityRecommender();
        var content = new RecEngine.Models.Content.ContentRecommender();
        var pure = new DiversityReranker(popularity, content, tradeoff: 1, candidateCount: 12);
        pure.Fit(data);
        var diverse = new DiversityReranker(popularity, content, tradeoff: 0.5, candidateCount: 12);

        Assert.Equal(["c0", "c1", "c2", "c3"], pure.Recommend("new-user", 4).Select(r => r.ItemId));

        // c0 first (relevance 1); then every coffee item is fully redundant (0.5 rel − 0.5 ≤ 0) while t0 is not
        // (0.5 rel > 0); after that every candidate is redundant with a pick, so relevance decides again.
        Assert.Equal(["c0", "t0", "c1", "c2"], diverse.Recommend("new-user", 4).Select(r => r.ItemId));
        Assert.Equal("popularity-mmr", diverse.Name);
    }

    [Fact]
    public void BadArguments_AreRefused()
    {
        var popularity = new PopularityRecommender();
        Assert.Throws<ArgumentOutOfRangeException>(() => new DiversityReranker(popularity, popularity, tradeoff: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DiversityReranker(popularity, popularity, candidateCount: 0));
        Assert.Throws<InvalidOperationException>(() => new DiversityReranker(popularity, new PopularityRecommender()).Recommend("u", 3));
    }
}
