using System.Runtime.CompilerServices;

namespace RecEngine.Models.Neighborhood;

/// <summary>
/// Sufficient statistics of one pair of rows (a, b) over their common entries: every similarity measure is a function
/// of these sums and of each row's <see cref="RowSums"/>. a is always the row with the lower index, so a pair has
/// one canonical form whichever row looks at it.
/// </summary>
/// <remarks>
/// <para>
/// The values summed are the measure's pair values: the raw values, except for
/// <see cref="SimilarityMeasure.AdjustedCosine"/>, whose values are centred by their column's mean.
/// </para>
/// <para>
/// <b>Exact sums.</b> Every term is rounded to a multiple of 2^-28 (<see cref="Quantize"/>) before it is added.
/// Sums of such terms are exact in double precision while they stay below 2^25 (about 3.4e7) in magnitude (beyond, they round as ordinary doubles do), so they do not depend
/// on the order of accumulation and removing a term restores the previous sum bit for bit. That is what lets the
/// incremental index and the batch builder agree exactly, and lets a pair be downdated without leaving rounding
/// residue that would turn an exact 0/0 into a spurious similarity. Ratings, counts and other multiples of 2^-28 are
/// not rounded at all; other terms move by at most 2^-29.
/// </para>
/// </remarks>
internal struct PairSums
{
    private const double Grid = 268435456.0;
    private const double Step = 1.0 / Grid;

    /// <summary>The term rounded to the nearest multiple of 2^-28.</summary>
    public static double Quantize(double term) => Math.Round(term * Grid) * Step;

    /// <summary>Number of common entries n.</summary>
    public int Count;

    /// <summary>
    /// Bookkeeping of the incremental index, not a statistic: bit 1 is set while b is in a's neighbour list, bit 2
    /// while a is in b's. Placed after <see cref="Count"/>, it lives in the padding before the doubles (48 bytes).
    /// </summary>
    public byte Listed;

    /// <summary>Σ a·b over the common entries.</summary>
    public double Product;

    /// <summary>Σ a² over the common entries.</summary>
    public double SquaresA;

    /// <summary>Σ b² over the common entries.</summary>
    public double SquaresB;

    /// <summary>Σ a over the common entries.</summary>
    public double SumA;

    /// <summary>Σ b over the common entries.</summary>
    public double SumB;

    /// <summary>Adds (<paramref name="sign"/> = 1) or removes (−1) one common entry with values a and b.</summary>
    public void Add(double a, double b, int sign)
    {
        Count += sign;
        Product += sign * Quantize(a * b);
        SquaresA += sign * Quantize(a * a);
        SquaresB += sign * Quantize(b * b);
        SumA += sign * Quantize(a);
        SumB += sign * Quantize(b);
    }
}

/// <summary>
/// Statistics of one row over all its entries (raw values): entry count, Σ r and Σ r², with terms rounded as in
/// <see cref="PairSums"/> so that updates are exact.
/// </summary>
internal struct RowSums
{
    public int Count;

    public double Sum;

    public double Squares;

    /// <summary>Replaces one entry's value <paramref name="old"/> by <paramref name="value"/>, or adds it when <paramref name="isNew"/>.</summary>
    public void Update(double old, double value, bool isNew)
    {
        if (isNew)
        {
            Count++;
            old = 0;
        }

        Sum += PairSums.Quantize(value) - PairSums.Quantize(old);
        Squares += PairSums.Quantize(value * value) - PairSums.Quantize(old * old);
    }

    /// <summary>Σ r / n, or 0 for an empty row.</summary>
    public readonly double Mean => Count == 0 ? 0 : Sum / Count;
}

/// <summary>
/// The one definition of every <see cref="SimilarityMeasure"/> from sufficient statistics, shared by the batch
/// builder and the incremental index so that both give bit-identical similarities from equal statistics.
/// </summary>
internal static class PairSimilarity
{
    /// <summary>
    /// The smallest similarity that makes a neighbour. An exactly zero correlation computes as rounding noise of
    /// either sign; this floor keeps such pairs out of the lists however their sums were accumulated.
    /// </summary>
    public const float Minimum = 1e-6f;

    /// <summary>
    /// The similarity of rows <paramref name="rowA"/> and <paramref name="rowB"/>, whose pair statistics are
    /// <paramref name="sums"/> with <paramref name="rowA"/> on the a side; NaN when the pair is not a neighbour
    /// (no common entry, non-finite, or below <see cref="Minimum"/>).
    /// </summary>
    public static float Compute(
        SimilarityMeasure measure, float shrinkage, in PairSums sums, int rowA, int rowB, ReadOnlySpan<RowSums> rows)
    {
        // Evaluate in the canonical orientation (lower row index as a) so both rows of a pair get the same bits.
        return rowA <= rowB
            ? Canonical(measure, shrinkage, sums.Count, sums.Product, sums.SquaresA, sums.SquaresB, sums.SumA, sums.SumB, rows[rowA], rows[rowB])
            : Canonical(measure, shrinkage, sums.Count, sums.Product, sums.SquaresB, sums.SquaresA, sums.SumB, sums.SumA, rows[rowB], rows[rowA]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Canonical(
        SimilarityMeasure measure, float shrinkage, int n, double product, double squaresA, double squaresB, double sumA, double sumB,
        in RowSums a, in RowSums b)
    {
        if (n <= 0)
        {
            return float.NaN;
        }

        double similarity;
        switch (measure)
        {
            case SimilarityMeasure.Cosine:
                similarity = product / Math.Sqrt(a.Squares * b.Squares);
                break;
            case SimilarityMeasure.Jaccard:
                similarity = n / (double)(a.Count + b.Count - n);
                break;
            case SimilarityMeasure.Pearson:
            {
                // Σ (a − μa)(b − μb) and Σ (a − μa)² over the common entries, expanded with the row means μ.
                double meanA = a.Mean;
                double meanB = b.Mean;
                double covariance = product - (meanB * sumA) - (meanA * sumB) + (n * meanA * meanB);
                double varianceA = squaresA - (2 * meanA * sumA) + (n * meanA * meanA);
                double varianceB = squaresB - (2 * meanB * sumB) + (n * meanB * meanB);
                similarity = covariance / Math.Sqrt(varianceA * varianceB);
                break;
            }

            case SimilarityMeasure.AdjustedCosine:
                similarity = product / Math.Sqrt(squaresA * squaresB);
                break;
            case SimilarityMeasure.DotProduct:
                similarity = product;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(measure), measure, "Unknown similarity measure.");
        }

        if (measure is SimilarityMeasure.Cosine or SimilarityMeasure.Pearson or SimilarityMeasure.AdjustedCosine)
        {
            // Cauchy–Schwarz bounds these by 1 in magnitude, but the quantised terms and the expanded Pearson sums are
            // not exact: a pair with proportional values (or centred values near zero) computes as 1 + a few ulps.
            // NaN (0/0) passes through and is dropped below.
            similarity = Math.Clamp(similarity, -1.0, 1.0);
        }

        if (shrinkage > 0)
        {
            similarity *= n / (n + (double)shrinkage);
        }

        float value = (float)similarity;
        return float.IsFinite(value) && value >= Minimum ? value : float.NaN;
    }
}
