namespace RecEngine.Data;

/// <summary>Collects interactions and item attributes in the caller's ids and builds an <see cref="InteractionDataset"/>.</summary>
/// <remarks>
/// <para>
/// Every <c>Add</c> validates its arguments before it changes anything, so a rejected interaction leaves the
/// builder as it was. Weights are resolved at <c>Add</c> time through the <see cref="EventWeights"/> given to
/// the constructor.
/// </para>
/// <para>
/// Values and weights must be finite, and their absolute values must add up to at most <see cref="float.MaxValue"/>
/// over the whole dataset (values and weights each), so that every sum a matrix or a model forms of them (duplicates
/// under <see cref="DuplicatePolicy.Sum"/>, a user's or an item's total) is finite too. An interaction past that
/// bound is refused; no real rating or event data comes near it (10<sup>9</sup> interactions of weight
/// 10<sup>6</sup> add up to 10<sup>15</sup>).
/// </para>
/// <para>Not thread-safe: use one builder from one thread at a time.</para>
/// </remarks>
public sealed class InteractionDatasetBuilder
{
    private readonly EventWeights _weights;
    private readonly IdMap _users;
    private readonly IdMap _items;
    private readonly List<int> _userIndices = [];
    private readonly List<int> _itemIndices = [];
    private readonly List<float> _values = [];
    private readonly List<float> _eventWeights = [];
    private readonly List<long> _timestamps = [];
    private readonly List<EventKind> _kinds = [];
    private readonly Dictionary<int, ItemAttributes> _attributes = [];
    private double _valueMagnitude;
    private double _weightMagnitude;

    /// <summary>Creates a builder.</summary>
    /// <param name="weights">Event weights; <see langword="null"/> means the defaults of <see cref="EventWeights"/>.</param>
    /// <param name="users">A user id map to extend (for example one that is already in use); <see langword="null"/> for a new one.</param>
    /// <param name="items">An item id map to extend; <see langword="null"/> for a new one.</param>
    public InteractionDatasetBuilder(EventWeights? weights = null, IdMap? users = null, IdMap? items = null)
    {
        _weights = weights ?? new EventWeights();
        _users = users ?? new IdMap();
        _items = items ?? new IdMap();
    }

    /// <summary>Number of interactions added so far.</summary>
    public int Count => _userIndices.Count;

    /// <summary>Adds one interaction.</summary>
    /// <exception cref="ArgumentException">
    /// An id is null or empty, the kind has no weight, or the value is NaN or infinite, has an infinite weight, or
    /// would make the absolute values or weights add up to more than <see cref="float.MaxValue"/>
    /// (<see cref="ArgumentOutOfRangeException"/> naming the value).
    /// </exception>
    public InteractionDatasetBuilder Add(in Interaction interaction) =>
        Add(interaction.UserId, interaction.ItemId, interaction.Value, interaction.Timestamp.ToUnixTimeMilliseconds(), interaction.Kind);

    /// <summary>Adds one interaction.</summary>
    /// <param name="userId">The caller's user id.</param>
    /// <param name="itemId">The caller's item id.</param>
    /// <param name="value">The event's value (the rating for rating events).</param>
    /// <param name="timestampMilliseconds">Unix time in milliseconds.</param>
    /// <param name="kind">The event's kind.</param>
    /// <exception cref="ArgumentException">
    /// An id is null or empty, the kind has no weight, or the value is NaN or infinite, has an infinite weight, or
    /// would make the absolute values or weights add up to more than <see cref="float.MaxValue"/>
    /// (<see cref="ArgumentOutOfRangeException"/> naming the value).
    /// </exception>
    public InteractionDatasetBuilder Add(string userId, string itemId, float value, long timestampMilliseconds, EventKind kind = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentException.ThrowIfNullOrEmpty(itemId);
        if (!_weights.TryGetWeight(kind, out float kindWeight))
        {
            throw new ArgumentException($"Event kind '{kind}' has no configured weight.", nameof(kind));
        }

        if (Refusal(value, kind) is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, problem);
        }

        float weight = kindWeight * value;
        _valueMagnitude += Math.Abs(value);
        _weightMagnitude += Math.Abs(weight);
        _userIndices.Add(_users.GetOrAdd(userId));
        _itemIndices.Add(_items.GetOrAdd(itemId));
        _values.Add(value);
        _eventWeights.Add(weight);
        _timestamps.Add(timestampMilliseconds);
        _kinds.Add(kind);
        return this;
    }

    /// <summary>
    /// Why <see cref="Add(string, string, float, long, EventKind)"/> would refuse an interaction of
    /// <paramref name="value"/> and <paramref name="kind"/> now (a sentence naming the value), or
    /// <see langword="null"/> when it would take it. Loaders ask before adding, to report the problem at its line.
    /// </summary>
    internal string? Refusal(float value, EventKind kind)
    {
        if (!float.IsFinite(value))
        {
            return $"The interaction's value {value} is not a finite number.";
        }

        _weights.TryGetWeight(kind, out float kindWeight);
        float weight = kindWeight * value;
        if (!float.IsFinite(weight))
        {
            return $"The interaction's weight, {kindWeight} (the weight of kind '{kind}') times the value {value}, overflows to {weight}.";
        }

        if (_valueMagnitude + Math.Abs(value) > float.MaxValue || _weightMagnitude + Math.Abs(weight) > float.MaxValue)
        {
            return $"The interaction's value {value} (weight {weight}) would make the absolute values or weights of the dataset add up to more than {float.MaxValue}, so that sums of them could overflow.";
        }

        return null;
    }

    /// <summary>
    /// Registers an item with a copy of its attributes (later changes to the given lists do not reach the builder). The
    /// item becomes a candidate for recommendation even if it has no interactions. Setting attributes again for the
    /// same item replaces them.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="itemId"/> is null or empty; or a collection of <paramref name="attributes"/>, a category or a tag is null; or one
    /// of its numeric attributes is NaN or infinite (content models standardise them, and a saved engine refuses them).
    /// The builder is unchanged.
    /// </exception>
    /// <exception cref="ArgumentNullException"><paramref name="attributes"/> is null.</exception>
    public InteractionDatasetBuilder SetItemAttributes(string itemId, ItemAttributes attributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(itemId);
        ArgumentNullException.ThrowIfNull(attributes);
        if (attributes.Categories is null || attributes.Tags is null || attributes.Numeric is null)
        {
            string collection = attributes.Categories is null ? "Categories" : attributes.Tags is null ? "Tags" : "Numeric";
            throw new ArgumentException($"The attributes of item '{itemId}' have a null {collection} collection.", nameof(attributes));
        }

        // A copy, checked and kept, so that changing the caller's lists afterwards reaches neither the builder nor a
        // built dataset.
        ItemAttributes copy = ReferenceEquals(attributes, ItemAttributes.Empty) ? attributes : new ItemAttributes
        {
            Title = attributes.Title,
            Categories = [.. attributes.Categories],
            Tags = [.. attributes.Tags],
            Numeric = new Dictionary<string, float>(attributes.Numeric, StringComparer.Ordinal),
        };
        if (AttributeError(itemId, copy) is { } error)
        {
            throw new ArgumentException(error, nameof(attributes));
        }

        _attributes[_items.GetOrAdd(itemId)] = copy;
        return this;
    }

    /// <summary>Why <paramref name="attributes"/> cannot be stored, or null when it can.</summary>
    private static string? AttributeError(string itemId, ItemAttributes attributes)
    {
        if (FirstNull(attributes.Categories) is int category)
        {
            return $"The category at position {category} of item '{itemId}' is null.";
        }

        if (FirstNull(attributes.Tags) is int tag)
        {
            return $"The tag at position {tag} of item '{itemId}' is null.";
        }

        foreach ((string name, float value) in attributes.Numeric)
        {
            if (!float.IsFinite(value))
            {
                return $"The numeric attribute '{name}' of item '{itemId}' is {value}; numeric attributes must be finite.";
            }
        }

        return null;
    }

    private static int? FirstNull(IReadOnlyList<string> values)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (values[i] is null)
            {
                return i;
            }
        }

        return null;
    }

    /// <summary>Attributes set so far for <paramref name="itemId"/>, if any.</summary>
    public bool TryGetItemAttributes(string itemId, out ItemAttributes attributes)
    {
        if (_items.TryGetIndex(itemId, out int index) && _attributes.TryGetValue(index, out ItemAttributes? found))
        {
            attributes = found;
            return true;
        }

        attributes = ItemAttributes.Empty;
        return false;
    }

    /// <summary>Registers a user without interactions (for example one known from a user file).</summary>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is null or empty.</exception>
    public InteractionDatasetBuilder AddUser(string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        _users.GetOrAdd(userId);
        return this;
    }

    /// <summary>Builds the dataset. The builder can keep adding afterwards; the built dataset does not change.</summary>
    public InteractionDataset Build()
    {
        int itemCount = _items.Count;
        var attributes = new ItemAttributes?[itemCount];
        int tagCount = 0;
        foreach ((int index, ItemAttributes value) in _attributes)
        {
            attributes[index] = value;
            tagCount += value.Tags.Count;
        }

        return new InteractionDataset(
            _users, _items, _users.Count, itemCount, new ItemCatalog(attributes, tagCount),
            [.. _userIndices], [.. _itemIndices], [.. _values], [.. _eventWeights], [.. _timestamps], [.. _kinds]);
    }
}
