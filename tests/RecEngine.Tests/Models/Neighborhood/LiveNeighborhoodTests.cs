using RecEngine.Data;
using RecEngine.Data.Synthetic;
using RecEngine.Ingest;
using RecEngine.Tests.TestUtilities;
using RecEngine.Models.Neighborhood;
using RecEngine.Persistence;

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

    [Theory]
    [InlineData(true, SimilarityMeasure.Cosine, MatrixValues.One)]
    [InlineData(true, SimilarityMeasure.Pearson, MatrixValues.Weight)]
    [InlineData(true, SimilarityMeasure.AdjustedCosine, MatrixValues.Weight)]
    [InlineData(true, SimilarityMeasure.Jaccard, MatrixValues.One)]
    [InlineData(false, SimilarityMeasure.Cosine, MatrixValues.Weight)]
    [InlineData(false, SimilarityMeasure.DotProduct, MatrixValues.One)]
    public void RestoredState_ServesAsARebuild_AndLaterEventsUpdateBothAlike(bool itemBased, SimilarityMeasure measure, MatrixValues values)
    {
        InteractionDataset all = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { UserCount = 200, ItemCount = 150, InteractionCount = 6_000, Feedback = SyntheticFeedback.ImplicitEvents });
        var options = new NeighborhoodOptions { Measure = measure, Values = values, Neighbors = 10, Shrinkage = 2f };
        int[] order = [.. Enumerable.Range(0, all.Count).OrderBy(r => all.Timestamps[r]).ThenBy(r => r)];
        int half = order.Length / 2, cut = order.Length * 3 / 4;
        var live = new LiveNeighborhood(all.Subset(order.AsSpan(0, half)), itemBased, options);
        long sequence = 0;
        foreach (int[] chunk in order[half..cut].Chunk(37))
        {
            live.Apply(DatasetEvents.Of(all, chunk, ref sequence));
        }

        // The history the state was saved after: a rebuild from it is what a load without the state does.
        InteractionDataset history = all.Subset(order.AsSpan(0, cut));
        SavedState state = live.CaptureState()!;
        Assert.Equal(itemBased ? LiveNeighborhood.ItemStateKind : LiveNeighborhood.UserStateKind, state.Kind);
        LiveNeighborhood restored = LiveNeighborhood.TryRestore(history, itemBased, options, state.Data)!;
        Assert.NotNull(restored);
        var rebuilt = new LiveNeighborhood(history, itemBased, options);

        // The restored index is the saved one: capturing it again gives the same bytes.
        Assert.Equal(state.Data, restored.CaptureState()!.Data);
        AssertSameServing(all, live, restored, rebuilt);

        foreach (int[] chunk in order[cut..].Chunk(53))
        {
            long at = sequence;
            live.Apply(DatasetEvents.Of(all, chunk, ref sequence));
            sequence = at;
            restored.Apply(DatasetEvents.Of(all, chunk, ref sequence));
            sequence = at;
            rebuilt.Apply(DatasetEvents.Of(all, chunk, ref sequence));
        }

        AssertSameServing(all, live, restored, rebuilt);
        Assert.Equal(live.CaptureState()!.Data, restored.CaptureState()!.Data);
    }

    [Fact]
    public void TryRestore_RefusesOtherOptionsAndDamagedStates_WithoutThrowing()
    {
        InteractionDataset data = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { UserCount = 60, ItemCount = 40, InteractionCount = 800, Feedback = SyntheticFeedback.ImplicitEvents });
        var options = new NeighborhoodOptions { Neighbors = 5 };
        byte[] state = new LiveNeighborhood(data, itemBased: true, options).CaptureState()!.Data;
        Assert.NotNull(LiveNeighborhood.TryRestore(data, true, options, state));
        Assert.Null(LiveNeighborhood.TryRestore(data, true, new NeighborhoodOptions { Neighbors = 6 }, state));
        Assert.Null(LiveNeighborhood.TryRestore(data, true, new NeighborhoodOptions { Neighbors = 5, Measure = SimilarityMeasure.Jaccard }, state));
        Assert.Null(LiveNeighborhood.TryRestore(data, true, new NeighborhoodOptions { Neighbors = 5, Values = MatrixValues.Weight }, state));
        Assert.Null(LiveNeighborhood.TryRestore(data, true, options, state[..^1]));

        // Rows of the index (items) beyond the history's: not the history it was saved after.
        InteractionDataset fewerItems = new InteractionDatasetBuilder().Add(data.Users.GetId(0), data.Items.GetId(0), 1f, 0).Build();
        Assert.Null(LiveNeighborhood.TryRestore(fewerItems, true, options, state));

        // A NaN similarity: the lists end with their similarities (f32 each).
        byte[] bad = (byte[])state.Clone();
        BitConverter.TryWriteBytes(bad.AsSpan(bad.Length - 4), float.NaN);
        Assert.Null(LiveNeighborhood.TryRestore(data, true, options, bad));

        // Any single flipped bit gives a refusal or a model, never an exception or a hang.
        var random = new Random(7);
        for (int trial = 0; trial < 300; trial++)
        {
            byte[] flipped = (byte[])state.Clone();
            flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
            LiveNeighborhood.TryRestore(data, true, options, flipped)?.Recommender.Recommend(data.Users.GetId(0), 5);
        }
    }

    private static void AssertSameServing(InteractionDataset all, params LiveNeighborhood[] models)
    {
        IRecommender expected = models[0].Recommender;
        foreach (LiveNeighborhood model in models[1..])
        {
            for (int u = 0; u < all.UserCount; u++)
            {
                string user = all.Users.GetId(u);
                Assert.Equal(expected.Recommend(user, 15), model.Recommender.Recommend(user, 15));
            }

            for (int i = 0; i < all.ItemCount; i++)
            {
                string item = all.Items.GetId(i);
                Assert.Equal(expected.SimilarItems(item, 10), model.Recommender.SimilarItems(item, 10));
            }
        }
    }
}
