namespace RecEngine.Data;

/// <summary>
/// Descriptive features of an item, used by content-based models and shown in results: a title, categories
/// (for example genres), free-text tags and named numeric attributes (for example a price or a release year).
/// </summary>
/// <remarks>Immutable once built; safe to share between threads.</remarks>
public sealed class ItemAttributes
{
    // Declared before Empty: static initialisers run in declaration order, and Empty reads it.
    private static readonly IReadOnlyDictionary<string, float> EmptyNumeric = new Dictionary<string, float>();

    /// <summary>An item with no attributes.</summary>
    public static ItemAttributes Empty { get; } = new();

    /// <summary>Display title, if known.</summary>
    public string? Title { get; init; }

    /// <summary>Categories the item belongs to (one-hot features in content models). Empty by default.</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Free-text tags (TF-IDF features in content models). Empty by default.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Named numeric attributes (standardised features in content models). Empty by default.</summary>
    public IReadOnlyDictionary<string, float> Numeric { get; init; } = EmptyNumeric;

    /// <summary>Returns a copy with <paramref name="tags"/> appended to <see cref="Tags"/>.</summary>
    public ItemAttributes WithTags(IEnumerable<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return new ItemAttributes { Title = Title, Categories = Categories, Tags = [.. Tags, .. tags], Numeric = Numeric };
    }
}
