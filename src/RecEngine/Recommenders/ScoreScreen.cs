namespace RecEngine;

/// <summary>
/// Guaranteed bounds on a model's exact scores that are cheaper to compute than the scores: the first pass of a
/// screened top-N, which then scores exactly only the items whose upper bound reaches the k-th best lower bound.
/// The selection equals the one over exact scores, ties included.
/// </summary>
internal abstract class ScoreScreen
{
    /// <summary>Block starts passed to <see cref="Bounds"/> must be multiples of this.</summary>
    public abstract int Alignment { get; }

    /// <summary>The user's bound scale, or NaN when no finite bounds exist for this user (then the caller scores exactly).</summary>
    public abstract float Scale(int user);

    /// <summary>
    /// Writes bounds with <c>lower[j] ≤ score(start + j) ≤ upper[j]</c>, where score is the exact value
    /// <see cref="TrainedModel.ScoreItems"/> returns.
    /// </summary>
    public abstract void Bounds(int user, float scale, int start, Span<float> lower, Span<float> upper);
}
