namespace RecEngine.Evaluation;

/// <summary>
/// Top-k ranking metrics of one recommendation list against the set of relevant (held-out) items, with binary
/// relevance. Every method is pure, allocation-free and O(k).
/// </summary>
/// <remarks>
/// <para>
/// A list is described by its relevance flags: <c>relevance[i]</c> says whether the item at rank <c>i</c> (counted
/// from 0, best first) is relevant. Only the first <c>k</c> flags are read; a list shorter than <c>k</c> counts as
/// if padded with non-relevant items, so <c>k</c> larger than the list is allowed and still divides where the
/// formula says <c>k</c>. <see cref="MarkRelevant{T}"/> turns a list of ids and a relevant set into flags.
/// </para>
/// <para>
/// With <c>rel_i</c> the flag at rank <c>i</c>, <c>hits = Σ_{i&lt;k} rel_i</c> and <c>R</c> the number of relevant
/// items of the user (<c>relevantCount</c>), the definitions are the standard ones:
/// </para>
/// <list type="bullet">
/// <item><description>Precision@k = hits / k.</description></item>
/// <item><description>Recall@k = hits / R.</description></item>
/// <item><description>HR@k (hit rate) = 1 if hits &gt; 0, else 0.</description></item>
/// <item><description>
/// NDCG@k = DCG@k / IDCG@k with DCG@k = Σ_{i&lt;k} rel_i / log2(i + 2) and IDCG@k = Σ_{i&lt;min(k, R)} 1 / log2(i + 2),
/// the DCG of a list with all relevant items first (Järvelin and Kekäläinen 2002, with the log2(i + 2) discount used
/// by most libraries).
/// </description></item>
/// <item><description>AP@k = (1 / min(k, R)) Σ_{i&lt;k} P@(i + 1) · rel_i, where P@(i + 1) is the precision of the first i + 1 items.</description></item>
/// <item><description>RR@k = 1 / (i + 1) for the rank i of the first relevant item within the top k, or 0 when there is none.</description></item>
/// </list>
/// <para>
/// Averaging the per-list values over users gives HR@k, NDCG@k, Precision@k, Recall@k, MAP@k and MRR@k. When
/// <c>R = 0</c> the metrics that divide by it (Recall, NDCG, AP) are defined as 0; evaluators never ask for them
/// since every test user has at least one relevant item. With exactly one relevant item (leave-one-out), HR@k is
/// whether the item is in the top k, NDCG@k = 1 / log2(rank + 2) on a hit and 0 otherwise, and AP@k = RR@k.
/// </para>
/// </remarks>
public static class RankingMetrics
{
    /// <summary>Precision@k = hits / k: the share of the k slots that hold a relevant item.</summary>
    /// <param name="relevance">Relevance flag of each ranked item, best first.</param>
    /// <param name="k">The cut-off; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1.</exception>
    public static double Precision(ReadOnlySpan<bool> relevance, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return (double)CountHits(relevance, k) / k;
    }

    /// <summary>Recall@k = hits / R: the share of the relevant items found in the top k; 0 when R = 0.</summary>
    /// <param name="relevance">Relevance flag of each ranked item, best first.</param>
    /// <param name="relevantCount">R, the number of relevant items of the user; at least the number of hits.</param>
    /// <param name="k">The cut-off; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1, or <paramref name="relevantCount"/> is negative or less than the hits in the top k.</exception>
    public static double Recall(ReadOnlySpan<bool> relevance, int relevantCount, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        int hits = CountHits(relevance, k);
        ThrowIfInconsistent(relevantCount, hits);
        return relevantCount == 0 ? 0.0 : (double)hits / relevantCount;
    }

    /// <summary>HR@k = 1 when at least one of the top k items is relevant, else 0.</summary>
    /// <param name="relevance">Relevance flag of each ranked item, best first.</param>
    /// <param name="k">The cut-off; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1.</exception>
    public static double HitRate(ReadOnlySpan<bool> relevance, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return relevance[..Math.Min(k, relevance.Length)].Contains(true) ? 1.0 : 0.0;
    }

    /// <summary>
    /// NDCG@k with binary relevance: DCG@k / IDCG@k, where DCG@k = Σ_{i&lt;k} rel_i / log2(i + 2) (rank i from 0)
    /// and IDCG@k = Σ_{i&lt;min(k, R)} 1 / log2(i + 2); 0 when R = 0.
    /// </summary>
    /// <param name="relevance">Relevance flag of each ranked item, best first.</param>
    /// <param name="relevantCount">R, the number of relevant items of the user; at least the number of hits.</param>
    /// <param name="k">The cut-off; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1, or <paramref name="relevantCount"/> is negative or less than the hits in the top k.</exception>
    public static double Ndcg(ReadOnlySpan<bool> relevance, int relevantCount, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ReadOnlySpan<bool> top = relevance[..Math.Min(k, relevance.Length)];
        int hits = 0;
        double dcg = 0.0;
        for (int i = 0; i < top.Length; i++)
        {
            if (top[i])
            {
                hits++;
                dcg += Discount(i);
            }
        }

        ThrowIfInconsistent(relevantCount, hits);
        if (relevantCount == 0)
        {
            return 0.0;
        }

        double idcg = 0.0;
        int ideal = Math.Min(k, relevantCount);
        for (int i = 0; i < ideal; i++)
        {
            idcg += Discount(i);
        }

        return dcg / idcg;
    }

    /// <summary>
    /// AP@k = (1 / min(k, R)) Σ_{i&lt;k} P@(i + 1) · rel_i, the average of the precisions at the ranks of the hits,
    /// normalised by the most hits possible; 0 when R = 0. MAP@k is its mean over users.
    /// </summary>
    /// <param name="relevance">Relevance flag of each ranked item, best first.</param>
    /// <param name="relevantCount">R, the number of relevant items of the user; at least the number of hits.</param>
    /// <param name="k">The cut-off; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1, or <paramref name="relevantCount"/> is negative or less than the hits in the top k.</exception>
    public static double AveragePrecision(ReadOnlySpan<bool> relevance, int relevantCount, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ReadOnlySpan<bool> top = relevance[..Math.Min(k, relevance.Length)];
        int hits = 0;
        double sum = 0.0;
        for (int i = 0; i < top.Length; i++)
        {
            if (top[i])
            {
                hits++;
                sum += (double)hits / (i + 1);
            }
        }

        ThrowIfInconsistent(relevantCount, hits);
        return relevantCount == 0 ? 0.0 : sum / Math.Min(k, relevantCount);
    }

    /// <summary>RR@k = 1 / (i + 1) for the rank i (from 0) of the first relevant item in the top k, 0 when there is none. MRR@k is its mean over users.</summary>
    /// <param name="relevance">Relevance flag of each ranked item, best first.</param>
    /// <param name="k">The cut-off; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 1.</exception>
    public static double ReciprocalRank(ReadOnlySpan<bool> relevance, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        int first = relevance[..Math.Min(k, relevance.Length)].IndexOf(true);
        return first < 0 ? 0.0 : 1.0 / (first + 1);
    }

    /// <summary>HR@k of a single relevant item at 0-based <paramref name="rank"/>: 1 when <c>rank &lt; k</c>, else 0.</summary>
    /// <param name="rank">The item's rank from 0; any value of at least <paramref name="k"/> (for example <see cref="int.MaxValue"/>) when it is not in the list.</param>
    /// <param name="k">The cut-off; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rank"/> is negative or <paramref name="k"/> is less than 1.</exception>
    public static double HitRateAtRank(int rank, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return rank < k ? 1.0 : 0.0;
    }

    /// <summary>
    /// NDCG@k of a single relevant item at 0-based <paramref name="rank"/>: 1 / log2(rank + 2) when <c>rank &lt; k</c>,
    /// else 0 (IDCG is 1 with one relevant item).
    /// </summary>
    /// <param name="rank">The item's rank from 0; any value of at least <paramref name="k"/> (for example <see cref="int.MaxValue"/>) when it is not in the list.</param>
    /// <param name="k">The cut-off; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rank"/> is negative or <paramref name="k"/> is less than 1.</exception>
    public static double NdcgAtRank(int rank, int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return rank < k ? Discount(rank) : 0.0;
    }

    /// <summary>
    /// Catalog coverage = (number of distinct recommended items) / (catalog size): <paramref name="recommended"/>
    /// has one flag per catalog item, set when the item appears in at least one list. 0 for an empty catalog.
    /// </summary>
    /// <param name="recommended">One flag per catalog item; its length is the catalog size.</param>
    public static double CatalogCoverage(ReadOnlySpan<bool> recommended)
    {
        if (recommended.IsEmpty)
        {
            return 0.0;
        }

        int distinct = recommended.Length - recommended.Count(false);
        return (double)distinct / recommended.Length;
    }

    /// <summary>
    /// Writes the relevance flag of each ranked item into <paramref name="relevance"/>: set when the item is in
    /// <paramref name="relevant"/> and has not appeared earlier in the list (so a repeated item counts once and the
    /// hits never exceed the relevant count).
    /// </summary>
    /// <returns>The number of flags set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="relevant"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="relevance"/> is shorter than <paramref name="ranked"/>.</exception>
    public static int MarkRelevant<T>(ReadOnlySpan<T> ranked, IReadOnlySet<T> relevant, Span<bool> relevance)
    {
        ArgumentNullException.ThrowIfNull(relevant);
        if (relevance.Length < ranked.Length)
        {
            throw new ArgumentException($"The relevance destination has length {relevance.Length} but {ranked.Length} items were given.", nameof(relevance));
        }

        EqualityComparer<T> comparer = EqualityComparer<T>.Default;
        int hits = 0;
        for (int i = 0; i < ranked.Length; i++)
        {
            bool hit = relevant.Contains(ranked[i]);
            for (int j = 0; hit && j < i; j++)
            {
                hit = !comparer.Equals(ranked[j], ranked[i]);
            }

            relevance[i] = hit;
            hits += hit ? 1 : 0;
        }

        return hits;
    }

    /// <summary>The DCG discount of rank <paramref name="rank"/> (from 0): 1 / log2(rank + 2).</summary>
    internal static double Discount(int rank) => 1.0 / Math.Log2(rank + 2.0);

    private static int CountHits(ReadOnlySpan<bool> relevance, int k)
    {
        int length = Math.Min(k, relevance.Length);
        return length - relevance[..length].Count(false);
    }

    private static void ThrowIfInconsistent(int relevantCount, int hits)
    {
        if (relevantCount < hits)
        {
            throw new ArgumentOutOfRangeException(nameof(relevantCount), relevantCount, $"The relevant count must be at least the number of hits in the top k ({hits}).");
        }
    }
}
