using System.Runtime.InteropServices;
using RecEngine.Data;

namespace RecEngine;

/// <summary>
/// What every trained model knows about its training data: the id maps and counts, which items each user has
/// seen (for exclusion), and item popularity (the cold-start fallback). Immutable; a live model publishes a new one
/// with every version of its state.
/// </summary>
internal sealed class FitContext
{
    internal FitContext(IdMap users, IdMap items, int userCount, int itemCount, SeenItems seen, float[] popularity, int[] popularityOrder)
    {
        Users = users;
        Items = items;
        UserCount = userCount;
        ItemCount = itemCount;
        Seen = seen;
        Popularity = popularity;
        PopularityOrder = popularityOrder;
    }

    public IdMap Users { get; }

    public IdMap Items { get; }

    public int UserCount { get; }

    public int ItemCount { get; }

    /// <summary>The items each user has seen (the distinct pairs of the training data, or a live version of them).</summary>
    public SeenItems Seen { get; }

    /// <summary>Number of training interactions per item.</summary>
    public float[] Popularity { get; }

    /// <summary>Item indices by descending <see cref="Popularity"/>, ties by ascending index.</summary>
    public int[] PopularityOrder { get; }

    public static FitContext Create(InteractionDataset dataset) =>
        Create(dataset, InteractionMatrix.Build(dataset, MatrixValues.One, DuplicatePolicy.LastWins));

    /// <summary>
    /// The context of <paramref name="dataset"/> with the seen items taken from <paramref name="matrix"/>, a matrix
    /// already built from it (every build holds one entry per distinct user-item pair, whatever its values).
    /// </summary>
    public static FitContext Create(InteractionDataset dataset, InteractionMatrix matrix)
    {
        var popularity = new float[dataset.ItemCount];
        foreach (int item in dataset.ItemIndices)
        {
            popularity[item]++;
        }

        return new FitContext(dataset.Users, dataset.Items, dataset.UserCount, dataset.ItemCount, SeenItems.Of(matrix), popularity, OrderByDescending(popularity));
    }

    /// <summary>Indices of <paramref name="scores"/> ordered by descending score, ties by ascending index.</summary>
    public static int[] OrderByDescending(float[] scores)
    {
        var order = new int[scores.Length];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) => scores[a] != scores[b] ? scores[b].CompareTo(scores[a]) : a.CompareTo(b));
        return order;
    }

    /// <summary>
    /// Whether <paramref name="other"/> holds the same ids, seen items and popularity (bit for bit): the parts of a
    /// composite fitted on the same data do, and a saved composite then stores the context once.
    /// </summary>
    public bool HasSameContents(FitContext other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (UserCount != other.UserCount || ItemCount != other.ItemCount
            || !MemoryMarshal.AsBytes(Popularity.AsSpan(0, ItemCount)).SequenceEqual(MemoryMarshal.AsBytes(other.Popularity.AsSpan(0, ItemCount)))
            || !SameIds(Users, other.Users, UserCount) || !SameIds(Items, other.Items, ItemCount))
        {
            return false;
        }

        for (int user = 0; user < UserCount; user++)
        {
            if (!Seen.RowColumns(user).SequenceEqual(other.Seen.RowColumns(user)))
            {
                return false;
            }
        }

        return true;

        static bool SameIds(IdMap a, IdMap b, int count)
        {
            if (ReferenceEquals(a, b))
            {
                return true;
            }

            for (int i = 0; i < count; i++)
            {
                if (!string.Equals(a.GetId(i), b.GetId(i), StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>The user's index if the user was part of training, else -1.</summary>
    public int TrainedUserIndex(string userId) =>
        Users.TryGetIndex(userId, out int index) && index < UserCount ? index : -1;

    /// <summary>The item's index if the item was a training candidate, else -1.</summary>
    public int TrainedItemIndex(string itemId) =>
        Items.TryGetIndex(itemId, out int index) && index < ItemCount ? index : -1;
}
