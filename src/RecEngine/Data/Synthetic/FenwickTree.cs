using System.Numerics;

namespace RecEngine.Data.Synthetic;

/// <summary>
/// Fenwick (binary indexed) trees of integer weights (Fenwick, "A New Data Structure for Cumulative Frequency
/// Tables", Software: Practice and Experience 24(3), 1994), stored in caller-owned spans: O(log n) to change a
/// weight and O(log n) to find the outcome at a given cumulative weight, which together give weighted sampling
/// without replacement at O(log n) per draw.
/// </summary>
/// <remarks>
/// Entry <c>j - 1</c> of a tree holds the sum of weights <c>(j - lowbit(j), j]</c> (1-based). Integer weights make
/// every update exact, so removing weights and adding them back restores the tree bit for bit.
/// </remarks>
internal static class FenwickTree
{
    /// <summary>Builds the tree of <paramref name="weights"/> in linear time.</summary>
    /// <returns>The total weight.</returns>
    public static long Build(ReadOnlySpan<long> weights, Span<long> tree)
    {
        weights.CopyTo(tree);
        int n = tree.Length;
        for (int j = 1; j <= n; j++)
        {
            int parent = j + (j & -j);
            if (parent <= n)
            {
                tree[parent - 1] += tree[j - 1];
            }
        }

        long total = 0;
        foreach (long w in weights)
        {
            total += w;
        }

        return total;
    }

    /// <summary>Adds <paramref name="delta"/> to the weight at <paramref name="index"/> (0-based).</summary>
    public static void Add(Span<long> tree, int index, long delta)
    {
        for (int j = index + 1; j <= tree.Length; j += j & -j)
        {
            tree[j - 1] += delta;
        }
    }

    /// <summary>
    /// The 0-based index <c>k</c> whose cumulative range holds <paramref name="target"/>:
    /// <c>sum(w[0..k)) &lt;= target &lt; sum(w[0..k])</c>, for <c>0 &lt;= target &lt; total</c>. Its weight is positive.
    /// </summary>
    public static int Find(ReadOnlySpan<long> tree, long target)
    {
        int position = 0;
        for (int step = 1 << (31 - BitOperations.LeadingZeroCount((uint)tree.Length)); step > 0; step >>= 1)
        {
            int next = position + step;
            if (next <= tree.Length)
            {
                // Written without a data-dependent branch: the descent path is random, so a branch would mispredict half the time.
                long sum = tree[next - 1];
                bool right = sum <= target;
                position = right ? next : position;
                target -= right ? sum : 0;
            }
        }

        return position;
    }
}
