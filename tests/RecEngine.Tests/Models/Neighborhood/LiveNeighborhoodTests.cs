using RecEngine.Data;
using RecEngine.Data.Synthetic;
using RecEngine.Ingest;
using RecEngine.Tests.TestUtilities;
using RecEngine.Models.Neighborhood;

namespace RecEngine.Tests.Models.Neighborhood;

public sealed class LiveNeighborhoodTests
{
    [Theory]
    [InlineData(true, SimilarityMeasure.Cosine, MatrixValues.One)]
    [InlineData(true, SimilarityMeasure.Jaccard, MatrixValues.One)]
    [InlineData(true, SimilarityMeasure.Cosine, MatrixValues.Weight)]
    [InlineData(false, SimilarityMeasure.Cosine, MatrixValues.One)]
    [InlineData(false, SimilarityMeasure.Jaccard, MatrixValues.Weight)]
    public void AfterEvents_RecommendsExactlyWhatAFitOnAllTheDataRecommends(bool itemBased, SimilarityMeasure measure, MatrixValues values)
    {
        InteractionDataset all = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { UserCount = 200, ItemCount = 150, InteractionCount = 6_000, Feedback = SyntheticFeedback.ImplicitEvents });
        var options = new NeighborhoodOptions { Measure = measure, Values = values, Neighbors = 10, Shrinkage = 2f };
        int[] order = [.. Enumerable.Range(0, all.Count).OrderBy(r => all.Timestamps[r]).ThenBy(r => r)];
        int half = order.Length / 2;
        var live = new LiveNeighborhood(all.Subset(order.AsSpan(0, half)), itemBased, options);
        long sequence = 0;
        foreach (int[] chunk in order[half..].Chunk(37))
        {
            live.Apply(DatasetEvents.Of(all, chunk, ref sequence));
        }

        IRecommender fitted = itemBased ? new ItemKnnRecommender(options) : new UserKnnRecommender(options);
        fitted.Fit(all);
        // Every user, personalised or not (the popularity fallback counts the events too), and a stranger.
        for (int u = 0; u < all.UserCount; u += 7)
        {
            string user = all.Users.GetId(u);
            Assert.Equal(fitted.IsKnownUser(user), live.Recommender.IsKnownUser(user));
            Assert.Equal(fitted.Recommend(user, 15), live.Recommender.Recommend(user, 15));
        }

        Assert.Equal(fitted.Recommend("a-stranger", 15), live.Recommender.Recommend("a-stranger", 15));
        string item = all.Items.GetId(3);
        Assert.Equal(fitted.SimilarItems(item, 10), live.Recommender.SimilarItems(item, 10));
        Assert.Equal(itemBased ? "item-knn" : "user-knn", live.Recommender.Name);
    }

    [Fact]
    public void WeightingIsRefused_BecauseTheIndexCannotMaintainIt()
    {
        InteractionDataset data = new InteractionDatasetBuilder().Add("u", "i", 1f, 0).Build();
        Assert.Throws<NotSupportedException>(() => new LiveNeighborhood(data, itemBased: true, new NeighborhoodOptions { Weighting = NeighborWeighting.Bm25 }));
        Assert.Throws<NotSupportedException>(() => new LiveNeighborhood(data, itemBased: true, new NeighborhoodOptions { NormalizeSimilarities = true }));
    }
}
