using RecEngine.Data;

namespace RecEngine;

/// <summary>
/// The contract every RecEngine model implements: fit on interactions, recommend top-N items for a user, score
/// given candidates for a user (for re-ranking), and find items similar to an item.
/// </summary>
/// <remarks>
/// <para>
/// <b>Unknown users and items are normal traffic.</b> A user the model cannot personalise for gets the documented
/// fallback of the model (the most popular items of the training data, after filters, and without the items a
/// known user has seen when seen items are excluded), never an exception;
/// <see cref="IsKnownUser"/> tells the two cases apart. Scores of unknown candidate items are
/// <see cref="float.NegativeInfinity"/>. <c>SimilarItems</c> of an unknown item falls back to popular items.
/// </para>
/// <para>
/// <b>Results</b> are best first; ties are broken by the item's dense index (its order of first appearance in the
/// data), so results are deterministic. A top-N result holds exactly N items whenever N eligible items exist
/// after filtering.
/// </para>
/// <para>
/// <b>Errors</b>: a null id or options argument, or a count below 1, throws an <see cref="ArgumentException"/>
/// naming the argument; calling anything but <see cref="Fit"/> before the first fit throws
/// <see cref="InvalidOperationException"/>.
/// </para>
/// <para>
/// <b>Thread safety</b>: implementations in this library allow any number of concurrent readers, and a re-fit
/// swaps the trained state atomically, so readers see the old model or the new one, never a mix.
/// </para>
/// </remarks>
public interface IRecommender
{
    /// <summary>A short stable name of the model, for example <c>"popularity"</c>.</summary>
    string Name { get; }

    /// <summary>Whether <see cref="Fit"/> has completed at least once.</summary>
    bool IsFitted { get; }

    /// <summary>Trains the model on <paramref name="dataset"/>, replacing any earlier training.</summary>
    /// <param name="dataset">The training interactions; every item of <c>dataset.ItemCount</c> becomes a candidate.</param>
    /// <param name="progress">Receives progress reports; may be null.</param>
    /// <param name="cancellationToken">Cancels training; the previous state (if any) stays in place.</param>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
    void Fit(InteractionDataset dataset, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Whether the model has personal data for <paramref name="userId"/> (otherwise recommendations are the fallback).</summary>
    bool IsKnownUser(string userId);

    /// <summary>Writes the top <c>destination.Length</c> items for the user into <paramref name="destination"/>, best first.</summary>
    /// <returns>The number of items written: less than the destination's length only when fewer eligible items exist.</returns>
    /// <remarks>Allocation-free apart from what the filter callback does.</remarks>
    int Recommend(string userId, Span<ScoredItem> destination, RecommendOptions? options = null);

    /// <summary>Returns the top <paramref name="count"/> items for the user, best first.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    IReadOnlyList<ScoredItem> Recommend(string userId, int count, RecommendOptions? options = null);

    /// <summary>Scores the given candidate items for the user (for re-ranking); unknown items score <see cref="float.NegativeInfinity"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="scores"/> is shorter than <paramref name="itemIds"/>.</exception>
    void Score(string userId, ReadOnlySpan<string> itemIds, Span<float> scores);

    /// <summary>Writes the items most similar to <paramref name="itemId"/> into <paramref name="destination"/>, best first; never the item itself.</summary>
    /// <returns>
    /// The number of items written: fewer than the destination's length when fewer eligible items exist, or when the
    /// model knows fewer similar items (a neighbourhood model keeps at most K neighbours per item and returns only
    /// those).
    /// </returns>
    int SimilarItems(string itemId, Span<ScoredItem> destination, RecommendOptions? options = null);

    /// <summary>
    /// Returns up to <paramref name="count"/> items most similar to <paramref name="itemId"/>, best first; never the
    /// item itself. Fewer are returned on the same terms as the span overload.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    IReadOnlyList<ScoredItem> SimilarItems(string itemId, int count, RecommendOptions? options = null);
}
