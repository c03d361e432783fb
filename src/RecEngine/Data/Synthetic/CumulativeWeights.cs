namespace RecEngine.Data.Synthetic;

/// <summary>Draws from a small discrete distribution given by its running sums: O(log n) by binary search.</summary>
internal static class CumulativeWeights
{
    /// <summary>
    /// Draws index <c>k</c> with probability <c>(sums[k] - sums[k - 1]) / sums[^1]</c>; outcomes of zero weight
    /// are never drawn.
    /// </summary>
    public static int Sample(ref Xoshiro256 random, ReadOnlySpan<double> runningSums)
    {
        double target = random.NextDouble() * runningSums[^1];
        int low = 0;
        int high = runningSums.Length - 1;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (runningSums[middle] > target)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }
}
