using RecEngine.Data;

namespace RecEngine.Models.Neural;

/// <summary>
/// The side inputs of the neural scorer, fixed at training: per user, context (the log-scaled interaction count and
/// counts per well-known event kind); per item, content (its categories among the most frequent ones, multi-hot
/// scaled to unit length) and context (log-scaled popularity and age of its latest interaction, both over the
/// interactions of positive weight). Each context column
/// is divided by its largest value, so inputs stay in [0, 1].
/// </summary>
internal sealed class NeuralFeatures
{
    private static readonly EventKind[] Kinds = [EventKind.View, EventKind.Click, EventKind.AddToCart, EventKind.Purchase, EventKind.Rating];

    private readonly float[] _zeros;

    public NeuralFeatures(int userWidth, float[] user, int itemWidth, float[] item)
    {
        _zeros = new float[Math.Max(userWidth, itemWidth)];
        UserWidth = userWidth;
        User = user;
        ItemWidth = itemWidth;
        Item = item;
    }

    /// <summary>Features per user.</summary>
    public int UserWidth { get; }

    /// <summary>Row-major user features.</summary>
    public float[] User { get; }

    /// <summary>Features per item.</summary>
    public int ItemWidth { get; }

    /// <summary>Row-major item features.</summary>
    public float[] Item { get; }

    /// <summary>The user's features; zeros for a user who arrived after training.</summary>
    public ReadOnlySpan<float> UserRow(int user) =>
        (long)(user + 1) * UserWidth <= User.Length ? User.AsSpan(user * UserWidth, UserWidth) : Zeros(UserWidth);

    /// <summary>The item's features; zeros for an item that arrived after training.</summary>
    public ReadOnlySpan<float> ItemRow(int item) =>
        (long)(item + 1) * ItemWidth <= Item.Length ? Item.AsSpan(item * ItemWidth, ItemWidth) : Zeros(ItemWidth);

    private ReadOnlySpan<float> Zeros(int width) => _zeros.AsSpan(0, width);

    /// <summary>The features of <paramref name="data"/>'s users and items as <paramref name="options"/> selects them.</summary>
    public static NeuralFeatures Build(InteractionDataset data, NeuralOptions options)
    {
        int users = data.UserCount, items = data.ItemCount;
        int userWidth = options.UseContext ? 1 + Kinds.Length : 0;
        var user = new float[users * userWidth];
        string[] categories = options.UseContent ? FrequentCategories(data.Catalog, items, options.MaxCategories) : [];
        int itemContext = options.UseContext ? 2 : 0;
        int itemWidth = categories.Length + itemContext;
        var item = new float[items * itemWidth];

        if (options.UseContext)
        {
            var popularity = new double[items];
            var latest = new long[items];
            Array.Fill(latest, long.MinValue);
            long newest = long.MinValue;
            for (int row = 0; row < data.Count; row++)
            {
                int u = data.UserIndices[row], i = data.ItemIndices[row];
                user[u * userWidth]++;
                int kind = Array.IndexOf(Kinds, data.Kinds[row]);
                if (kind >= 0)
                {
                    user[(u * userWidth) + 1 + kind]++;
                }

                if (data.Weights[row] > 0)
                {
                    // Dislikes are activity of the user, not popularity of the item.
                    popularity[i]++;
                    latest[i] = Math.Max(latest[i], data.Timestamps[row]);
                }

                newest = Math.Max(newest, data.Timestamps[row]);
            }

            for (int e = 0; e < user.Length; e++)
            {
                user[e] = MathF.Log(1 + user[e]);
            }

            for (int i = 0; i < items; i++)
            {
                float ageDays = latest[i] == long.MinValue ? 3_650f : (float)((newest - latest[i]) / 86_400_000.0);
                item[(i * itemWidth) + categories.Length] = (float)Math.Log(1 + popularity[i]);
                item[(i * itemWidth) + categories.Length + 1] = MathF.Log(1 + ageDays);
            }

            ScaleColumns(user, userWidth, 0, userWidth);
            ScaleColumns(item, itemWidth, categories.Length, itemWidth);
        }

        if (categories.Length > 0)
        {
            var index = new Dictionary<string, int>(categories.Length, StringComparer.Ordinal);
            foreach (string category in categories)
            {
                index.Add(category, index.Count);
            }

            var found = new List<int>();
            for (int i = 0; i < items; i++)
            {
                if (!data.Catalog.HasAttributes(i))
                {
                    continue;
                }

                found.Clear();
                foreach (string category in data.Catalog[i].Categories)
                {
                    if (index.TryGetValue(category, out int c) && !found.Contains(c))
                    {
                        found.Add(c);
                    }
                }

                foreach (int c in found)
                {
                    item[(i * itemWidth) + c] = 1f / MathF.Sqrt(found.Count);
                }
            }
        }

        return new NeuralFeatures(userWidth, user, itemWidth, item);
    }

    /// <summary>The most frequent categories of the catalog's first <paramref name="items"/> items, ties by name.</summary>
    private static string[] FrequentCategories(ItemCatalog catalog, int items, int most)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < Math.Min(items, catalog.Count); i++)
        {
            if (catalog.HasAttributes(i))
            {
                foreach (string category in catalog[i].Categories.Distinct(StringComparer.Ordinal))
                {
                    counts[category] = counts.GetValueOrDefault(category) + 1;
                }
            }
        }

        return [.. counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(most).Select(p => p.Key)];
    }

    /// <summary>Divides columns [from, to) of a row-major table by their largest value (when positive).</summary>
    private static void ScaleColumns(float[] table, int width, int from, int to)
    {
        if (width == 0)
        {
            return;
        }

        int rows = table.Length / width;
        for (int c = from; c < to; c++)
        {
            float max = 0;
            for (int r = 0; r < rows; r++)
            {
                max = Math.Max(max, table[(r * width) + c]);
            }

            if (max > 0)
            {
                for (int r = 0; r < rows; r++)
                {
                    table[(r * width) + c] /= max;
                }
            }
        }
    }
}
