namespace RecEngine.Data;

/// <summary>
/// An immutable set of interactions with the id maps that give users and items their dense indices, and the
/// item catalog. Build one with <see cref="InteractionDatasetBuilder"/>, a loader, or the synthetic generator.
/// </summary>
/// <remarks>
/// <para>
/// Storage is columnar (one contiguous array per field). Splits made by the evaluation module share the id
/// maps and the catalog of the dataset they come from, so an index means the same user or item in every part.
/// </para>
/// <para>
/// <see cref="UserCount"/> and <see cref="ItemCount"/> are fixed when the dataset is built, even if the shared
/// id maps grow afterwards; every item counted there is a candidate for recommendation.
/// </para>
/// <para>Thread safety: immutable; safe for concurrent reads.</para>
/// </remarks>
public sealed class InteractionDataset
{
    private readonly int[] _users;
    private readonly int[] _items;
    private readonly float[] _values;
    private readonly float[] _weights;
    private readonly long[] _timestamps;
    private readonly EventKind[] _kinds;

    internal InteractionDataset(
        IdMap users, IdMap items, int userCount, int itemCount, ItemCatalog catalog,
        int[] userIndices, int[] itemIndices, float[] values, float[] weights, long[] timestamps, EventKind[] kinds)
    {
        Users = users;
        Items = items;
        UserCount = userCount;
        ItemCount = itemCount;
        Catalog = catalog;
        _users = userIndices;
        _items = itemIndices;
        _values = values;
        _weights = weights;
        _timestamps = timestamps;
        _kinds = kinds;
    }

    /// <summary>The user id map (shared with datasets split from this one).</summary>
    public IdMap Users { get; }

    /// <summary>The item id map (shared with datasets split from this one).</summary>
    public IdMap Items { get; }

    /// <summary>Number of users: user indices are in <c>[0, UserCount)</c>.</summary>
    public int UserCount { get; }

    /// <summary>Number of items: item indices are in <c>[0, ItemCount)</c>. Items without interactions count too.</summary>
    public int ItemCount { get; }

    /// <summary>Item attributes by item index.</summary>
    public ItemCatalog Catalog { get; }

    /// <summary>Number of interactions.</summary>
    public int Count => _users.Length;

    /// <summary>Dense user index of each interaction.</summary>
    public ReadOnlySpan<int> UserIndices => _users;

    /// <summary>Dense item index of each interaction.</summary>
    public ReadOnlySpan<int> ItemIndices => _items;

    /// <summary>Raw value of each interaction (the rating for rating events).</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>Weight of each interaction: its kind's weight times its value (see <see cref="EventWeights"/>).</summary>
    public ReadOnlySpan<float> Weights => _weights;

    /// <summary>Timestamp of each interaction in Unix milliseconds.</summary>
    public ReadOnlySpan<long> Timestamps => _timestamps;

    /// <summary>Kind of each interaction.</summary>
    public ReadOnlySpan<EventKind> Kinds => _kinds;

    /// <summary>The interaction at <paramref name="index"/>, in the caller's ids.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in <c>[0, Count)</c>.</exception>
    public Interaction this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_users.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"Index must be in [0, {_users.Length}).");
            }

            return new Interaction(
                Users.GetId(_users[index]), Items.GetId(_items[index]), _values[index],
                DateTimeOffset.FromUnixTimeMilliseconds(_timestamps[index]), _kinds[index]);
        }
    }

    /// <summary>Number of distinct users that have at least one interaction.</summary>
    public int CountActiveUsers() => CountDistinct(_users, UserCount);

    /// <summary>Number of distinct items that have at least one interaction.</summary>
    public int CountActiveItems() => CountDistinct(_items, ItemCount);

    /// <summary>
    /// A dataset with the interactions at <paramref name="rows"/> (in that order), sharing this dataset's id maps,
    /// counts and catalog.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A row is not in <c>[0, Count)</c>.</exception>
    public InteractionDataset Subset(ReadOnlySpan<int> rows)
    {
        int n = rows.Length;
        var users = new int[n];
        var items = new int[n];
        var values = new float[n];
        var weights = new float[n];
        var timestamps = new long[n];
        var kinds = new EventKind[n];
        for (int i = 0; i < n; i++)
        {
            int row = rows[i];
            if ((uint)row >= (uint)_users.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"Row must be in [0, {_users.Length}).");
            }

            users[i] = _users[row];
            items[i] = _items[row];
            values[i] = _values[row];
            weights[i] = _weights[row];
            timestamps[i] = _timestamps[row];
            kinds[i] = _kinds[row];
        }

        return new InteractionDataset(Users, Items, UserCount, ItemCount, Catalog, users, items, values, weights, timestamps, kinds);
    }

    /// <summary>The same interactions, id maps and catalog with other <paramref name="weights"/> (one per interaction).</summary>
    internal InteractionDataset WithWeights(float[] weights)
    {
        if (weights.Length != _users.Length)
        {
            throw new ArgumentException($"{weights.Length} weights for {_users.Length} interactions.", nameof(weights));
        }

        return new InteractionDataset(Users, Items, UserCount, ItemCount, Catalog, _users, _items, _values, weights, _timestamps, _kinds);
    }

    private static int CountDistinct(int[] indices, int range)
    {
        var seen = new bool[range];
        int distinct = 0;
        foreach (int index in indices)
        {
            if (!seen[index])
            {
                seen[index] = true;
                distinct++;
            }
        }

        return distinct;
    }
}
