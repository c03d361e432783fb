using RecEngine.Data;
using RecEngine.Data.Synthetic;
using RecEngine.Ingest;
using RecEngine.Models.Neighborhood;

namespace RecEngine.Tests.Models.Neighborhood;

public sealed class LiveItemKnnTests
{
    [Theory]
    [InlineData(SimilarityMeasure.Cosine, MatrixValues.One)]
    [InlineData(SimilarityMeasure.Jaccard, MatrixValues.One)]
    [InlineData(SimilarityMeasure.Cosine, MatrixValues.Weight)]
    public void AfterEvents_RecommendsExactlyWhatAFitOnAllTheDataRecommends(SimilarityMeasure measure, MatrixValues values)
    {
        InteractionDataset all = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { UserCount = 200, ItemCount = 150, InteractionCount = 6_000, Feedback = SyntheticFeedback.ImplicitEvents });
        var options = new NeighborhoodOptions { Measure = measure, Values = values, Neighbors = 10, Shrinkage = 2f };
        int[] order = [.. Enumerable.Range(0, all.Count).OrderBy(r => all.Timestamps[r]).ThenBy(r => r)];
        int half = order.Length / 2;
        var live = new LiveItemKnn(all.Subset(order.AsSpan(0, half)), options);
        long sequence = 0;
        foreach (int[] chunk in order[half..].Chunk(37))
        {
            live.Apply([.. chunk.Select(r => new WeightedEvent(
                new Interaction(all.Users.GetId(all.UserIndices[r]), all.Items.GetId(all.ItemIndices[r]), all.Values[r], DateTimeOffset.FromUnixTimeMilliseconds(all.Timestamps[r]), all.Kinds[r]),
                all.Weights[r],
                ++sequence))]);
        }

        var fitted = new ItemKnnRecommender(options);
        fitted.Fit(all);
        for (int u = 0; u < all.UserCount; u += 7)
        {
            string user = all.Users.GetId(u);
            IReadOnlyList<ScoredItem> expected = fitted.Recommend(user, 15);
            IReadOnlyList<ScoredItem> actual = live.Recommender.Recommend(user, 15);
            Assert.Equal(expected, actual);
        }

        string item = all.Items.GetId(3);
        Assert.Equal(fitted.SimilarItems(item, 10), live.Recommender.SimilarItems(item, 10));
    }

    [Fact]
    public void WeightingIsRefused_BecauseTheIndexCannotMaintainIt()
    {
        InteractionDataset data = new InteractionDatasetBuilder().Add("u", "i", 1f, 0).Build();
        Assert.Throws<NotSupportedException>(() => new LiveItemKnn(data, new NeighborhoodOptions { Weighting = NeighborWeighting.Bm25 }));
        Assert.Throws<NotSupportedException>(() => new LiveItemKnn(data, new NeighborhoodOptions { NormalizeSimilarities = true }));
    }
}
