namespace RecEngine;

/// <summary>Filters applied to a top-N request. Immutable; one instance can serve many concurrent calls.</summary>
/// <remarks>
/// Filters are applied while the top N are selected, never after, so a result has exactly the requested count
/// whenever at least that many eligible items exist.
/// </remarks>
public sealed class RecommendOptions
{
    /// <summary>The defaults: exclude seen items, no filter, no exclusion set.</summary>
    public static RecommendOptions Default { get; } = new();

    /// <summary>
    /// Whether items the user has already interacted with (in the data the model was fitted on) are left out.
    /// The default is <see langword="true"/>. Ignored by <c>SimilarItems</c>, which always leaves out the query item.
    /// </summary>
    public bool ExcludeSeen { get; init; } = true;

    /// <summary>
    /// An optional predicate over item ids: only items for which it returns <see langword="true"/> are returned
    /// (for example "in stock"). It is called only for items that would enter the top N, so its cost is roughly
    /// proportional to N, not to the catalog. It must be thread-safe if the options are shared between threads.
    /// </summary>
    public Func<string, bool>? Filter { get; init; }

    /// <summary>Optional item ids never to return (for example items already on screen). Unknown ids are ignored.</summary>
    public IReadOnlySet<string>? Exclude { get; init; }
}
