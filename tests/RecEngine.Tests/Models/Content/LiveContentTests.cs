using RecEngine.Data;
using RecEngine.Data.Synthetic;
using RecEngine.Ingest;
using RecEngine.Tests.TestUtilities;
using RecEngine.Models.Content;

namespace RecEngine.Tests.Models.Content;

public sealed class LiveContentTests
{
    [Theory]
    [InlineData(MatrixValues.One)]
    [InlineData(MatrixValues.Weight)]
    [InlineData(MatrixValues.Value)]
    public void AfterEvents_ScoresAsAFitOnAllTheData(MatrixValues values)
    {
        InteractionDataset all = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { UserCount = 120, ItemCount = 150, InteractionCount = 4_000 });
        var options = new ContentOptions { Values = values };
        int[] order = [.. Enumerable.Range(0, all.Count).OrderBy(r => all.Timestamps[r]).ThenBy(r => r)];
        int half = order.Length / 2;
        var live = new LiveContent(all.Subset(order.AsSpan(0, half)), options);
        long sequence = 0;
        foreach (int[] chunk in order[half..].Chunk(29))
        {
            live.Apply(DatasetEvents.Of(all, chunk, ref sequence));
        }

        var fitted = new ContentRecommender(options);
        fitted.Fit(all);
        string[] items = [.. Enumerable.Range(0, all.ItemCount).Select(all.Items.GetId)];
        var expected = new float[items.Length];
        var actual = new float[items.Length];
        for (int u = 0; u < all.UserCount; u += 5)
        {
            string user = all.Users.GetId(u);
            fitted.Score(user, items, expected);
            live.Recommender.Score(user, items, actual);
            for (int i = 0; i < items.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5, $"user {user}, item {items[i]}: {actual[i]} vs {expected[i]}");
            }

            Assert.Equal(fitted.IsKnownUser(user), live.Recommender.IsKnownUser(user));
        }

        // The popularity fallback counts the events too.
        Assert.Equal(fitted.Recommend("a-stranger", 15), live.Recommender.Recommend("a-stranger", 15));

        // Events on items outside the catalog are ignored.
        live.Apply([new WeightedEvent(new Interaction("someone", "not-in-the-catalog", 1f, DateTimeOffset.UnixEpoch, EventKind.Click), 2f, ++sequence)]);
        Assert.False(live.Recommender.IsKnownUser("someone"));
    }
}
