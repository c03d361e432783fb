using RecEngine.Data;
using RecEngine.Data.Synthetic;
using RecEngine.Ingest;
using RecEngine.Models.Popularity;

namespace RecEngine.Tests.Models.Popularity;

public sealed class LivePopularityTests
{
    private static WeightedEvent Event(string user, string item, long milliseconds, float weight = 1f, long sequence = 1) =>
        new(new Interaction(user, item, weight, DateTimeOffset.FromUnixTimeMilliseconds(milliseconds), EventKind.Click), weight, sequence);

    [Theory]
    [InlineData(0)]
    [InlineData(480)]
    [InlineData(1)]
    public void AfterEvents_EqualsAFitOnAllTheData(int halfLifeHours)
    {
        // A one-hour half-life over a year of events forces many rebases, where old scores underflow to ties.
        InteractionDataset all = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { UserCount = 150, ItemCount = 120, InteractionCount = 4_000, Feedback = SyntheticFeedback.ImplicitEvents });
        var options = new PopularityOptions { Values = MatrixValues.Weight, HalfLife = halfLifeHours > 0 ? TimeSpan.FromHours(halfLifeHours) : null };
        int[] order = [.. Enumerable.Range(0, all.Count).OrderBy(r => all.Timestamps[r]).ThenBy(r => r)];
        int half = order.Length / 2;
        var live = new LivePopularity(all.Subset(order.AsSpan(0, half)), options);
        foreach (int row in order[half..])
        {
            live.Apply([Event(all.Users.GetId(all.UserIndices[row]), all.Items.GetId(all.ItemIndices[row]), all.Timestamps[row], all.Weights[row])]);
        }

        var fitted = new PopularityRecommender(options);
        fitted.Fit(all);
        foreach (string user in new[] { all.Users.GetId(0), all.Users.GetId(17), "unknown" })
        {
            IReadOnlyList<ScoredItem> expected = fitted.Recommend(user, 20);
            IReadOnlyList<ScoredItem> actual = live.Recommender.Recommend(user, 20);
            Assert.Equal(expected.Select(r => r.ItemId), actual.Select(r => r.ItemId));
            Assert.Equal(expected.Select(r => r.Score), actual.Select(r => r.Score), (a, b) => Math.Abs(a - b) <= 1e-4 * Math.Max(1, Math.Abs(a)));
        }
    }

    [Fact]
    public void NewItemsAndUsers_AppearOnTheirFirstEvent_AndNegativeFeedbackLowersAnItem()
    {
        var builder = new InteractionDatasetBuilder();
        builder.Add("a", "x", 1f, 0, EventKind.Click);
        builder.Add("b", "x", 1f, 0, EventKind.Click);
        builder.Add("a", "y", 1f, 0, EventKind.Click);
        var live = new LivePopularity(builder.Build(), new PopularityOptions { Values = MatrixValues.Weight });
        Assert.Equal(["x", "y"], live.Recommender.Recommend("nobody", 5).Select(r => r.ItemId));

        // Clicks weigh 2: x = 4, y = 2. A brand-new item bought twice by a new user (16) and y (+3 = 5) overtake x.
        live.Apply([Event("c", "z", 1, 8f), Event("c", "z", 2, 8f), Event("d", "y", 3, 3f)]);
        Assert.Equal(["z", "y", "x"], live.Recommender.Recommend("nobody", 5).Select(r => r.ItemId));
        Assert.True(live.Recommender.IsKnownUser("c"));
        Assert.Equal(["y", "x"], live.Recommender.Recommend("c", 5).Select(r => r.ItemId));

        // Removals from the cart (negative weights) push z below everything.
        live.Apply([Event("e", "z", 4, -20f)]);
        Assert.Equal(["y", "x", "z"], live.Recommender.Recommend("nobody", 5).Select(r => r.ItemId));
        Assert.Equal(-4f, live.Recommender.Recommend("nobody", 5)[2].Score);
    }
}
