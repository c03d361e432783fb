using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RecEngine.Data;
using RecEngine.Evaluation;
using RecEngine.Models.Baseline;
using RecEngine.Models.Popularity;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Evaluation;

/// <summary>
/// The evaluators on random small splits: every ranking metric stays in [0, 1] whatever the recommender returns
/// (duplicates, unknown ids, lists longer than k); a perfect ranking scores 1 where the definitions say so; RMSE is
/// at least MAE, which is at least 0.
/// </summary>
public sealed class EvaluatorBoundsProperties
{
    private enum Ranker
    {
        Popularity,
        Baseline,
        Scrambled,
        Perfect,
    }

    private sealed record Case(SmallDataset Data, int SplitSeed, int K, Ranker Ranker, int NegativeSamples)
    {
        public override string ToString() => $"k={K} {Ranker} split {SplitSeed} negatives {NegativeSamples}: {Data}";
    }

    private static readonly Gen<Case> Cases =
        from data in SmallDatasets.Of(SmallValues.Ratings)
        from seed in Gen.Choose(0, 1000)
        from k in Gen.Choose(1, 8)
        from ranker in Gen.Elements(Enum.GetValues<Ranker>())
        from negatives in Gen.Choose(1, 12)
        select new Case(data, seed, k, ranker, negatives);

    /// <summary>A user-written recommender that knows the test set: relevant items first, then the rest.</summary>
    private sealed class PerfectRecommender(DatasetSplit split) : IRecommender
    {
        private readonly ILookup<string, string> _relevant = EvaluationData.Rows(split.Test).ToLookup(r => r.User, r => r.Item);

        public string Name => "perfect";

        public bool IsFitted => true;

        public void Fit(InteractionDataset dataset, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        {
        }

        public bool IsKnownUser(string userId) => true;

        public int Distinct(string userId) => _relevant[userId].Distinct().Count();

        public IReadOnlyList<ScoredItem> Recommend(string userId, int count, RecommendOptions? options = null)
        {
            // Ignores the seen-item exclusion on purpose: a relevant item the user also has in training is still first.
            var relevant = _relevant[userId].Distinct().ToHashSet();
            IEnumerable<string> catalog = Enumerable.Range(0, split.Train.ItemCount).Select(split.Train.Items.GetId);
            return [.. relevant.Order(StringComparer.Ordinal).Select(i => new ScoredItem(i, 1f))
                .Concat(catalog.Where(i => !relevant.Contains(i)).Select(i => new ScoredItem(i, 0f)))
                .Take(count)];
        }

        public int Recommend(string userId, Span<ScoredItem> destination, RecommendOptions? options = null) => Copy(Recommend(userId, destination.Length, options), destination);

        public void Score(string userId, ReadOnlySpan<string> itemIds, Span<float> scores)
        {
            for (int i = 0; i < itemIds.Length; i++)
            {
                scores[i] = _relevant[userId].Contains(itemIds[i]) ? 1f : 0f;
            }
        }

        public IReadOnlyList<ScoredItem> SimilarItems(string itemId, int count, RecommendOptions? options = null) => [];

        public int SimilarItems(string itemId, Span<ScoredItem> destination, RecommendOptions? options = null) => 0;
    }

    /// <summary>A careless recommender: repeated items, ids outside the catalogue, more items than asked for, NaN and infinite scores.</summary>
    private sealed class ScrambledRecommender(DatasetSplit split, int seed) : IRecommender
    {
        public string Name => "scrambled";

        public bool IsFitted => true;

        public void Fit(InteractionDataset dataset, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
        {
        }

        public bool IsKnownUser(string userId) => true;

        public IReadOnlyList<ScoredItem> Recommend(string userId, int count, RecommendOptions? options = null)
        {
            var random = new Random(HashCode.Combine(seed, userId.Length, userId[^1]));
            int items = split.Train.ItemCount;
            return [.. Enumerable.Range(0, count + 3).Select(_ => random.Next(5) == 0
                ? new ScoredItem($"ghost{random.Next(3)}", float.NaN)
                : new ScoredItem(split.Train.Items.GetId(random.Next(items)), random.Next(4) == 0 ? float.PositiveInfinity : random.NextSingle()))];
        }

        public int Recommend(string userId, Span<ScoredItem> destination, RecommendOptions? options = null) => Copy(Recommend(userId, destination.Length, options), destination);

        public void Score(string userId, ReadOnlySpan<string> itemIds, Span<float> scores)
        {
            var random = new Random(seed);
            for (int i = 0; i < itemIds.Length; i++)
            {
                scores[i] = random.Next(3) == 0 ? float.NaN : random.Next(3);
            }
        }

        public IReadOnlyList<ScoredItem> SimilarItems(string itemId, int count, RecommendOptions? options = null) => [];

        public int SimilarItems(string itemId, Span<ScoredItem> destination, RecommendOptions? options = null) => 0;
    }

    private static int Copy(IReadOnlyList<ScoredItem> list, Span<ScoredItem> destination)
    {
        int n = Math.Min(list.Count, destination.Length);
        for (int i = 0; i < n; i++)
        {
            destination[i] = list[i];
        }

        return n;
    }

    private static IRecommender Create(Case c, DatasetSplit split)
    {
        switch (c.Ranker)
        {
            case Ranker.Perfect:
                return new PerfectRecommender(split);
            case Ranker.Scrambled:
                return new ScrambledRecommender(split, c.SplitSeed);
            case Ranker.Baseline:
                var baseline = new BaselineRatingPredictor();
                baseline.Fit(split.Train);
                return baseline;
            default:
                var popularity = new PopularityRecommender();
                popularity.Fit(split.Train);
                return popularity;
        }
    }

    private static DatasetSplit Split(Case c) => DatasetSplit.RandomHoldout(c.Data.Build(), 0.3, c.SplitSeed);

    [Property(MaxTest = 200)]
    public Property RankingMetrics_OfAnyRecommender_StayBetweenZeroAndOne_Meets_Specification() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            DatasetSplit split = Split(c);
            IRecommender model = Create(c, split);
            foreach (EvaluationProtocol protocol in Enum.GetValues<EvaluationProtocol>())
            {
                var options = new RankingEvaluationOptions { K = c.K, Protocol = protocol, NegativeSampleCount = c.NegativeSamples, MaxDegreeOfParallelism = 1 };
                EvaluationResult result = RankingEvaluator.Evaluate(model, split, options);
                Assert.Equal(protocol == EvaluationProtocol.Full ? 7 : 2, result.Metrics.Count);
                foreach ((string name, double value) in result.Metrics)
                {
                    // No test user: the means are undefined (NaN) by definition; coverage is a share in every case.
                    bool coverage = name.StartsWith("Coverage", StringComparison.Ordinal);
                    bool inBounds = result.UserCount == 0 && !coverage ? double.IsNaN(value) : value is >= 0.0 and <= 1.0;
                    Assert.True(inBounds, $"{protocol} {name} = {value} with {result.UserCount} test users");
                }
            }

            return true;
        });

    [Property(MaxTest = 150)]
    public Property PerfectRanking_ScoresOne_WhereTheDefinitionsSaySo_Meets_Specification() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            DatasetSplit split = Split(c);
            var model = new PerfectRecommender(split);
            EvaluationResult full = RankingEvaluator.Evaluate(model, split, new RankingEvaluationOptions { K = c.K, MaxDegreeOfParallelism = 1 });
            EvaluationResult sampled = RankingEvaluator.Evaluate(model, split, new RankingEvaluationOptions { K = c.K, Protocol = EvaluationProtocol.Sampled, NegativeSampleCount = c.NegativeSamples });
            if (full.UserCount == 0)
            {
                return true;
            }

            // With R distinct relevant items ranked first: every hit metric is 1, Recall@k = min(k, R)/R and
            // Precision@k = min(k, R)/k per user.
            string[] users = [.. EvaluationData.Rows(split.Test).Select(r => r.User).Distinct()];
            double recall = users.Average(u => Math.Min(c.K, model.Distinct(u)) / (double)model.Distinct(u));
            double precision = users.Average(u => Math.Min(c.K, model.Distinct(u)) / (double)c.K);
            const int Digits = 12;
            Assert.Equal(1.0, full[MetricNames.HitRate(c.K)]);
            Assert.Equal(1.0, full[MetricNames.Ndcg(c.K)], Digits);
            Assert.Equal(1.0, full[MetricNames.MeanAveragePrecision(c.K)], Digits);
            Assert.Equal(1.0, full[MetricNames.MeanReciprocalRank(c.K)]);
            Assert.Equal(recall, full[MetricNames.Recall(c.K)], Digits);
            Assert.Equal(precision, full[MetricNames.Precision(c.K)], Digits);

            // Sampled: the held-out item scores 1, every negative 0, so it ranks first.
            Assert.Equal(1.0, sampled[MetricNames.HitRate(c.K)]);
            Assert.Equal(1.0, sampled[MetricNames.Ndcg(c.K)]);
            return true;
        });

    [Property(MaxTest = 300)]
    public Property SingleItemMetricsAndCoverage_StayBetweenZeroAndOne_Meets_Specification() =>
        Prop.ForAll(
            Gen.Choose(0, 200).ToArbitrary(),
            Gen.Choose(1, 50).ToArbitrary(),
            Gen.ArrayOf(Gen.Elements(true, false)).ToArbitrary(),
            (rank, k, recommended) =>
            {
                double ndcg = RankingMetrics.NdcgAtRank(rank, k);
                double hit = RankingMetrics.HitRateAtRank(rank, k);
                double coverage = RankingMetrics.CatalogCoverage(recommended);

                // A hit at rank 0 is perfect; NDCG never exceeds HR; coverage is the share of flags set.
                return ndcg is >= 0.0 and <= 1.0 && hit is 0.0 or 1.0 && ndcg <= hit && (rank > 0 || ndcg == 1.0)
                    && coverage is >= 0.0 and <= 1.0 && (recommended.Length == 0 || coverage == recommended.Count(f => f) / (double)recommended.Length);
            });

    [Property(MaxTest = 300)]
    public Property Rmse_IsAtLeastMae_WhichIsAtLeastZero_Meets_Specification() =>
        Prop.ForAll(
            Gen.Choose(1, 40).SelectMany(n => Gen.ArrayOf(Generators.FiniteFloat, n).SelectMany(p => Gen.ArrayOf(Generators.FiniteFloat, n).Select(a => (p, a)))).ToArbitrary(),
            pair =>
            {
                (float[] predicted, float[] actual) = pair;
                double rmse = RatingMetrics.Rmse(predicted, actual);
                double mae = RatingMetrics.Mae(predicted, actual);
                double largest = predicted.Zip(actual).Max(x => Math.Abs((double)x.First - x.Second));

                // Jensen: the quadratic mean is at least the arithmetic mean, and neither exceeds the largest error.
                // Equal when every error has the same size; a perfect prediction gives 0.
                bool sameSize = predicted.Zip(actual).All(x => Math.Abs((double)x.First - x.Second) == largest);
                return (mae >= 0 && rmse >= mae * (1 - 1e-12) && rmse <= largest * (1 + 1e-12)
                    && (!sameSize || Math.Abs(rmse - mae) <= 1e-12 * largest)
                    && RatingMetrics.Rmse(actual, actual) == 0 && RatingMetrics.Mae(actual, actual) == 0).ToProperty();
            });

    [Property(MaxTest = 100)]
    public Property RatingEvaluator_OnRandomSplits_GivesRmseAtLeastMaeAtLeastZero_Meets_Specification() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            DatasetSplit split = Split(c);
            var model = new BaselineRatingPredictor();
            model.Fit(split.Train);
            EvaluationResult result = RatingEvaluator.Evaluate(model, split);
            double rmse = result[MetricNames.Rmse], mae = result[MetricNames.Mae];
            return split.Test.Count == 0
                ? double.IsNaN(rmse) && double.IsNaN(mae)
                : mae >= 0 && rmse >= mae * (1 - 1e-12);
        });
}
