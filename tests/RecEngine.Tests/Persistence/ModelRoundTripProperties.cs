using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RecEngine.Data;
using RecEngine.Evaluation;
using RecEngine.Models.Baseline;
using RecEngine.Models.Content;
using RecEngine.Models.Factorization;
using RecEngine.Models.Hybrid;
using RecEngine.Models.Neighborhood;
using RecEngine.Models.Neural;
using RecEngine.Models.Popularity;
using RecEngine.Persistence;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Persistence;

/// <summary>
/// Save then load is the identity: for every model kind fitted on a random small dataset, the loaded model serves
/// <c>Recommend</c> (with and without seen items), <c>SimilarItems</c>, <c>Score</c> and <c>PredictRating</c> bit for
/// bit as the saved one, for every user and item and for unknown ones. On the way, every list is checked to hold
/// distinct items with no NaN score, and <c>SimilarItems</c> never to return the item itself.
/// </summary>
public sealed class ModelRoundTripProperties
{
    private static NeuralRecommender SmallNeural(int seed) =>
        new(new NeuralOptions { EmbeddingSize = 4, HiddenLayers = [5], Epochs = 2, Seed = seed, DegreeOfParallelism = 1 });

    private static readonly Dictionary<string, Func<int, IRecommender>> Factories = new()
    {
        ["popularity"] = _ => new PopularityRecommender(),
        ["popularity-decay"] = _ => new PopularityRecommender(new PopularityOptions { HalfLife = TimeSpan.FromDays(3), Values = MatrixValues.Weight }),
        ["baseline"] = _ => new BaselineRatingPredictor(new BaselineOptions { Iterations = 3 }),
        ["item-knn"] = _ => new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 4, Shrinkage = 2, Measure = SimilarityMeasure.Pearson, Values = MatrixValues.Value, DegreeOfParallelism = 1 }),
        ["item-knn-bm25"] = _ => new ItemKnnRecommender(new NeighborhoodOptions { Measure = SimilarityMeasure.DotProduct, Weighting = NeighborWeighting.Bm25, NormalizeSimilarities = true, DegreeOfParallelism = 1 }),
        ["user-knn"] = _ => new UserKnnRecommender(new NeighborhoodOptions { Neighbors = 3, Measure = SimilarityMeasure.Jaccard, DegreeOfParallelism = 1 }),
        ["implicit-als"] = seed => new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 3, Iterations = 3, Seed = seed, DegreeOfParallelism = 1 }),
        ["implicit-als-cholesky"] = seed => new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 5, Iterations = 2, Solver = AlsSolver.Cholesky, Values = MatrixValues.One, Seed = seed, DegreeOfParallelism = 1 }),
        ["explicit-als"] = seed => new ExplicitAlsRecommender(new ExplicitAlsOptions { Factors = 3, Iterations = 3, RatingRange = (1f, 5f), Seed = seed, DegreeOfParallelism = 1 }),
        ["content"] = _ => new ContentRecommender(),
        ["neural"] = SmallNeural,
        ["hybrid"] = seed => new HybridRecommender([(new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 4, DegreeOfParallelism = 1 }), 0.5), (SmallNeural(seed), 0.3), (new PopularityRecommender(), 0.2)]),
        ["hybrid-learned"] = _ => new HybridRecommender(
            [(new UserKnnRecommender(new NeighborhoodOptions { Neighbors = 4, DegreeOfParallelism = 1 }), 0.5), (new PopularityRecommender(), 0.5)],
            new HybridOptions { LearnWeights = true, WeightStep = 0.5, Validation = new RankingEvaluationOptions { K = 3, Protocol = EvaluationProtocol.Sampled, NegativeSampleCount = 4, Seed = 3, MaxDegreeOfParallelism = 1 } }),
        ["rerank"] = _ => new RerankingRecommender(new PopularityRecommender(), new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 4, DegreeOfParallelism = 1 }), candidateCount: 5),
        ["mmr"] = _ =>
        {
            var knn = new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 4, DegreeOfParallelism = 1 });
            return new DiversityReranker(knn, knn, tradeoff: 0.6, candidateCount: 6);
        },
        ["mmr-content"] = _ => new DiversityReranker(new UserKnnRecommender(new NeighborhoodOptions { DegreeOfParallelism = 1 }), new ContentRecommender(), tradeoff: 0.4, candidateCount: 5),
    };

    private sealed record Case(string Model, SmallDataset Data, int Seed)
    {
        public override string ToString() => $"{Model} seed {Seed}: {Data}";
    }

    private static readonly Gen<Case> Cases =
        from model in Gen.Elements(Factories.Keys.ToArray())
        from kind in Gen.Elements(SmallValues.Ratings, SmallValues.Events)
        from data in SmallDatasets.Of(kind)
        from seed in Gen.Choose(0, 1000)
        select new Case(model, data, seed);

    /// <summary>A list as (id, score bits): equal lists are the same items in the same order with the same bits.</summary>
    private static (string, int)[] Bits(IReadOnlyList<ScoredItem> list) => [.. list.Select(s => (s.ItemId, BitConverter.SingleToInt32Bits(s.Score)))];

    private static void AssertWellFormed(IReadOnlyList<ScoredItem> list, string what)
    {
        Assert.True(list.Select(s => s.ItemId).Distinct().Count() == list.Count, $"{what}: an item twice in [{string.Join(", ", list)}]");
        Assert.True(!list.Any(s => float.IsNaN(s.Score)), $"{what}: a NaN score in [{string.Join(", ", list)}]");
    }

    [Property(MaxTest = 250)]
    public Property SaveThenLoad_ServesBitForBitTheSame_ForEveryModelKind_Meets_Specification() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            InteractionDataset data = c.Data.Build();
            IRecommender fitted = Factories[c.Model](c.Seed);
            fitted.Fit(data);
            using var stream = new MemoryStream();
            ModelFile.Save(fitted, stream);
            stream.Position = 0;
            IRecommender loaded = ModelFile.Load(stream);

            Assert.Equal(fitted.GetType(), loaded.GetType());
            string[] users = [.. Enumerable.Range(0, data.UserCount).Select(data.Users.GetId), "stranger"];
            string[] items = [.. Enumerable.Range(0, data.ItemCount).Select(data.Items.GetId), "unknown-item"];
            int all = items.Length + 1;
            var everything = new RecommendOptions { ExcludeSeen = false };
            var expected = new float[items.Length];
            var actual = new float[items.Length];
            foreach (string user in users)
            {
                Assert.Equal(fitted.IsKnownUser(user), loaded.IsKnownUser(user));
                IReadOnlyList<ScoredItem> unseen = fitted.Recommend(user, all);
                IReadOnlyList<ScoredItem> any = fitted.Recommend(user, all, everything);
                AssertWellFormed(unseen, $"Recommend({user})");
                AssertWellFormed(any, $"Recommend({user}, seen included)");
                Assert.Equal(Bits(unseen), Bits(loaded.Recommend(user, all)));
                Assert.Equal(Bits(any), Bits(loaded.Recommend(user, all, everything)));
                Assert.Equal(Bits(fitted.Recommend(user, 2)), Bits(loaded.Recommend(user, 2)));
                fitted.Score(user, items, expected);
                loaded.Score(user, items, actual);
                Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
            }

            foreach (string item in items)
            {
                IReadOnlyList<ScoredItem> similar = fitted.SimilarItems(item, all);
                AssertWellFormed(similar, $"SimilarItems({item})");
                Assert.DoesNotContain(similar, s => s.ItemId == item);
                Assert.Equal(Bits(similar), Bits(loaded.SimilarItems(item, all)));
            }

            if (fitted is IRatingPredictor predictor)
            {
                var restored = (IRatingPredictor)loaded;
                foreach (string user in users)
                {
                    foreach (string item in items)
                    {
                        Assert.Equal(BitConverter.SingleToInt32Bits(predictor.PredictRating(user, item)), BitConverter.SingleToInt32Bits(restored.PredictRating(user, item)));
                    }
                }
            }

            return true;
        });
}
