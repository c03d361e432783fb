namespace RecEngine;

/// <summary>
/// The immutable result of one fit: model-specific scoring over dense indices. <see cref="RecommenderBase"/>
/// turns it into the public contract (ids, filters, fallbacks, top-N). Implementations must be safe for
/// concurrent readers.
/// </summary>
internal abstract class TrainedModel
{
    protected TrainedModel(FitContext context) => Context = context;

    public FitContext Context { get; }

    /// <summary>Non-personal scores for users the model cannot personalise for; by default training popularity.</summary>
    public virtual float[] FallbackScores => Context.Popularity;

    /// <summary>Item indices by descending <see cref="FallbackScores"/>, ties by ascending index.</summary>
    public virtual int[] FallbackOrder => Context.PopularityOrder;

    /// <summary>Whether the model can personalise for the user (a trained user index); by default, users with training interactions.</summary>
    public virtual bool CanPersonalize(int user) => Context.Seen.RowLength(user) > 0;

    /// <summary>Writes the user's score for every item into <paramref name="scores"/> (length <c>ItemCount</c>).</summary>
    public abstract void ScoreAll(int user, Span<float> scores);

    /// <summary>
    /// Whether <see cref="ScoreRange"/> is supported: then top-N selection scores the catalog block by block into a
    /// small buffer that stays in L1, instead of writing and re-reading a whole score vector.
    /// </summary>
    public virtual bool ScoresRanges => false;

    /// <summary>Writes the user's scores of items <c>[start, start + scores.Length)</c>, the same values <see cref="ScoreAll"/> gives.</summary>
    /// <exception cref="NotSupportedException">The model does not score ranges (<see cref="ScoresRanges"/> is false).</exception>
    public virtual void ScoreRange(int user, int start, Span<float> scores) =>
        throw new NotSupportedException("This model scores whole catalogs only.");

    /// <summary>
    /// Cheap bounds on this model's scores for screened top-N selection, or <see langword="null"/> (the default)
    /// when every item is scored exactly.
    /// </summary>
    public virtual ScoreScreen? Screen => null;

    /// <summary>
    /// Writes the user's scores for the given item indices, bit for bit the values <see cref="ScoreAll"/> gives. The
    /// default scores all items and gathers.
    /// </summary>
    public virtual void ScoreItems(int user, ReadOnlySpan<int> items, Span<float> scores)
    {
        float[] all = System.Buffers.ArrayPool<float>.Shared.Rent(Context.ItemCount);
        try
        {
            Span<float> allScores = all.AsSpan(0, Context.ItemCount);
            ScoreAll(user, allScores);
            for (int i = 0; i < items.Length; i++)
            {
                scores[i] = allScores[items[i]];
            }
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(all);
        }
    }

    /// <summary>
    /// Writes the similarity of every item to <paramref name="item"/> into <paramref name="scores"/>; returns
    /// <see langword="false"/> when the model has no notion of similarity for this item (the caller falls back to
    /// popularity). The default has none.
    /// </summary>
    public virtual bool TrySimilarTo(int item, Span<float> scores) => false;
}
