namespace RecEngine.Data.Synthetic;

/// <summary>
/// Draws the items one user has not taken yet, from a cluster in proportion to popularity, and forgets the user
/// afterwards: weighted sampling without replacement over one Fenwick tree per cluster.
/// </summary>
/// <remarks>
/// <para>
/// Taking an item sets its weight to zero in each cluster it belongs to, so later draws never return it and no
/// draw is ever rejected; <see cref="Reset"/> adds the weights back. Costs: O(log members) per draw and per take,
/// O(items taken + clusters) per reset, never O(items).
/// </para>
/// <para>
/// Weights are integers, so a reset restores the trees exactly: what a user draws cannot depend on which users
/// the same sampler served before, and so not on how users were spread over threads.
/// </para>
/// <para>Not thread-safe: one sampler per thread.</para>
/// </remarks>
internal sealed class UnseenItemSampler
{
    private readonly SyntheticItems _items;
    private readonly long[] _trees;
    private readonly long[] _totals;
    private readonly int[] _taken;
    private int _takenCount;

    public UnseenItemSampler(SyntheticItems items)
    {
        _items = items;
        _trees = (long[])items.FullTrees.Clone();
        _totals = (long[])items.FullTotals.Clone();
        _taken = new int[items.Count];
    }

    /// <summary>Number of items taken since the last reset.</summary>
    public int TakenCount => _takenCount;

    /// <summary>Whether <paramref name="cluster"/> still has an item the user has not taken.</summary>
    public bool HasUnseen(int cluster) => _totals[cluster] > 0;

    /// <summary>Draws an item of <paramref name="cluster"/> not taken yet, in proportion to its membership weight; the cluster must have one.</summary>
    public int Sample(ref Xoshiro256 random, int cluster)
    {
        int start = _items.MemberOffsets[cluster];
        int length = _items.MemberOffsets[cluster + 1] - start;
        long target = (long)random.NextUInt64((ulong)_totals[cluster]);
        return _items.Members[start + FenwickTree.Find(_trees.AsSpan(start, length), target)];
    }

    /// <summary>Draws a cluster in proportion to its weight not taken yet, or returns -1 when everything is taken. O(clusters).</summary>
    public int SampleCluster(ref Xoshiro256 random)
    {
        long total = 0;
        foreach (long t in _totals)
        {
            total += t;
        }

        if (total == 0)
        {
            return -1;
        }

        long target = (long)random.NextUInt64((ulong)total);
        for (int c = 0; c < _totals.Length; c++)
        {
            if (target < _totals[c])
            {
                return c;
            }

            target -= _totals[c];
        }

        throw new InvalidOperationException("Cluster totals changed during a draw.");
    }

    /// <summary>Takes <paramref name="item"/>: later draws skip it until <see cref="Reset"/>. The item must not be taken already.</summary>
    public void Take(int item)
    {
        Update(item, -1);
        _taken[_takenCount++] = item;
    }

    /// <summary>Gives back every taken item, restoring the full weights exactly.</summary>
    public void Reset()
    {
        for (int k = 0; k < _takenCount; k++)
        {
            Update(_taken[k], +1);
        }

        _takenCount = 0;
        _items.FullTotals.CopyTo(_totals, 0);
    }

    private void Update(int item, int sign)
    {
        ShiftWeight(_items.MainPositions[item], _items.MainClusters[item], sign);
        int second = _items.SecondPositions[item];
        if (second >= 0)
        {
            ShiftWeight(second, _items.SecondClusters[item], sign);
        }
    }

    private void ShiftWeight(int position, int cluster, int sign)
    {
        int start = _items.MemberOffsets[cluster];
        int length = _items.MemberOffsets[cluster + 1] - start;
        long delta = sign * _items.MemberWeights[position];
        FenwickTree.Add(_trees.AsSpan(start, length), position - start, delta);
        _totals[cluster] += delta;
    }
}
