namespace RecEngine.Evaluation;

/// <summary>
/// Draws negatives for the sampled protocol: uniformly without replacement from the catalog items
/// <c>[0, catalogSize)</c> that are not in an excluded set (the user's items).
/// </summary>
/// <remarks>
/// Each draw picks a uniformly random subset of ranks in <c>[0, P)</c>, P the number of eligible items, with
/// Floyd's algorithm (Bentley and Floyd 1987, "A sample of brilliance": m draws for m samples, no rejection), and
/// maps rank r to the r-th eligible item by binary search over the sorted excluded items, so the cost is
/// O(m log |excluded|) whatever the share of excluded items. Not thread-safe: one sampler per user and thread.
/// </remarks>
internal sealed class NegativeSampler
{
    private readonly int[] _excluded;
    private readonly int _eligible;
    private readonly SplitMix64 _random;
    private readonly HashSet<int> _chosen;

    /// <param name="catalogSize">Items are <c>[0, catalogSize)</c>.</param>
    /// <param name="excluded">Ascending, distinct indices below <paramref name="catalogSize"/> never to draw.</param>
    /// <param name="count">Negatives wanted per draw; capped at the number of eligible items.</param>
    /// <param name="seed">Initial state of this sampler's generator.</param>
    public NegativeSampler(int catalogSize, int[] excluded, int count, ulong seed)
    {
        _excluded = excluded;
        _eligible = catalogSize - excluded.Length;
        SampleSize = Math.Min(count, _eligible);
        _random = new SplitMix64(seed);
        _chosen = new HashSet<int>(SampleSize);
    }

    /// <summary>Negatives per draw: the requested count, or all eligible items when fewer exist.</summary>
    public int SampleSize { get; }

    /// <summary>
    /// The generator state for <paramref name="user"/>'s sampler: the evaluation seed and the user index side by
    /// side, so every user has its own stream whatever order users are evaluated in.
    /// </summary>
    public static ulong UserSeed(int seed, int user) => ((ulong)(uint)seed << 32) | (uint)user;

    /// <summary>Writes <see cref="SampleSize"/> distinct eligible items into <paramref name="destination"/>.</summary>
    public void Sample(Span<int> destination)
    {
        int m = SampleSize;
        _chosen.Clear();
        int written = 0;
        for (int j = _eligible - m; j < _eligible; j++)
        {
            // Floyd: pick t in [0, j]; if it was taken, take j, which no earlier step could have picked.
            int t = _random.Next(j + 1);
            int rank = _chosen.Add(t) ? t : j;
            if (rank == j)
            {
                _chosen.Add(j);
            }

            destination[written++] = ItemOfRank(rank);
        }
    }

    /// <summary>
    /// The rank-th eligible item: <c>rank + c</c>, where c counts the excluded items e_j with e_j − j ≤ rank
    /// (e_j − j is the number of eligible items below e_j, non-decreasing in j).
    /// </summary>
    private int ItemOfRank(int rank)
    {
        int low = 0;
        int high = _excluded.Length;
        while (low < high)
        {
            int middle = (int)((uint)(low + high) >> 1);
            if (_excluded[middle] - middle <= rank)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return rank + low;
    }
}
