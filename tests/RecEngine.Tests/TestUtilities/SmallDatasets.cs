using FsCheck;
using FsCheck.Fluent;
using RecEngine.Data;

namespace RecEngine.Tests.TestUtilities;

/// <summary>What the values of a generated dataset look like.</summary>
public enum SmallValues
{
    /// <summary>Ratings 1 to 5 in half stars, as <see cref="EventKind.Rating"/> events (weight = rating).</summary>
    Ratings,

    /// <summary>
    /// Implicit events of every kind, including a "dislike" of weight −1, with values that are mostly 1 but also
    /// fractional: weights are then positive, negative, fractional, and repeated pairs sum to anything (zero included).
    /// </summary>
    Events,
}

/// <summary>
/// One small random dataset, kept as plain rows so FsCheck can print and shrink it. Users are <c>u0</c>..,
/// items <c>i0</c>..; every item of the catalogue has attributes (categories and tags), interacted with or not.
/// </summary>
public sealed record SmallDataset(int Users, int Items, SmallValues Kind, (int User, int Item, float Value, int Kind, long Time)[] Rows, int[][] Tags)
{
    /// <summary>The kind of dislike events: a negative weight.</summary>
    public static readonly EventKind Dislike = new("dislike");

    private static readonly EventKind[] s_kinds = [EventKind.View, EventKind.Click, EventKind.AddToCart, EventKind.Purchase, Dislike];
    private static readonly string[] s_words = ["red", "blue", "green", "comedy", "drama", "short", "long"];

    /// <summary>The event weights the dataset is built with: the defaults plus a dislike of weight −1.</summary>
    public static EventWeights Weights() => new EventWeights().Set(Dislike, -1f);

    /// <summary>The dataset: item attributes first (so item indices follow item numbers), then the rows in order.</summary>
    public InteractionDataset Build()
    {
        var builder = new InteractionDatasetBuilder(Weights());
        for (int i = 0; i < Items; i++)
        {
            builder.SetItemAttributes(ItemId(i), new ItemAttributes
            {
                Title = $"item {i}",
                Categories = [s_words[i % 3]],
                Tags = [.. Tags[i].Select(t => s_words[t])],
            });
        }

        foreach ((int user, int item, float value, int kind, long time) in Rows)
        {
            builder.Add(UserId(user), ItemId(item), value, time, Kind == SmallValues.Ratings ? EventKind.Rating : s_kinds[kind]);
        }

        return builder.Build();
    }

    public static string UserId(int user) => $"u{user}";

    public static string ItemId(int item) => $"i{item}";

    public override string ToString() =>
        $"{Users} users, {Items} items, {Kind}: [{string.Join(", ", Rows.Select(r => $"u{r.User} i{r.Item} {r.Value}/{r.Kind}@{r.Time}"))}]";
}

/// <summary>FsCheck generators of <see cref="SmallDataset"/>s: a few users and items, dense enough that pairs co-occur.</summary>
public static class SmallDatasets
{
    /// <summary>Datasets of up to <paramref name="maxUsers"/> users, <paramref name="maxItems"/> items and 4 rows per user on average.</summary>
    public static Gen<SmallDataset> Of(SmallValues kind, int maxUsers = 10, int maxItems = 12) =>
        from users in Gen.Choose(1, maxUsers)
        from items in Gen.Choose(1, maxItems)
        from count in Gen.Choose(1, 4 * users)
        from rows in Gen.ArrayOf(Row(kind, users, items), count)
        from tags in Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(3, 6), 2), items)
        select new SmallDataset(users, items, kind, rows, tags);

    private static Gen<(int, int, float, int, long)> Row(SmallValues kind, int users, int items) =>
        from user in Gen.Choose(0, users - 1)
        from item in Gen.Choose(0, items - 1)
        from value in kind == SmallValues.Ratings
            ? Gen.Choose(2, 10).Select(v => v / 2f)
            : Gen.Frequency((4, Gen.Constant(1f)), (1, Gen.Choose(1, 40).Select(v => v / 8f)))
        from eventKind in Gen.Frequency((3, Gen.Choose(0, 3)), (1, Gen.Constant(4)))
        from time in Gen.Choose(0, 1_000_000)
        select (user, item, value, eventKind, (long)time * 1000);
}
