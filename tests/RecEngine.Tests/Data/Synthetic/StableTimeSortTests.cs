using FsCheck.Xunit;
using RecEngine.Data.Synthetic;

namespace RecEngine.Tests.Data.Synthetic;

public sealed class StableTimeSortTests
{
    [Property(MaxTest = 200)]
    public void Sort_EqualsAStableComparisonSort(long[] keys, bool fewDistinct)
    {
        // Few distinct keys exercise stability; full-range keys exercise every digit and negative values.
        long[] input = fewDistinct ? keys.Select(k => k % 5).ToArray() : keys;
        int[] expectedOrder = Enumerable.Range(0, input.Length).OrderBy(k => input[k]).ToArray();
        long[] sorted = (long[])input.Clone();

        int[] order = StableTimeSort.Sort(sorted);

        Assert.Equal(expectedOrder, order);
        Assert.Equal(expectedOrder.Select(k => input[k]), sorted);
    }

    [Fact]
    public void Sort_MillisecondTimestampsWithTies_KeepsTiesInInputOrder()
    {
        long start = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var random = new Xoshiro256(9, 0, 0);
        long[] keys = Enumerable.Range(0, 50_000).Select(_ => start + (long)random.NextUInt64(1UL << 36) / 1000 * 1000).ToArray();
        int[] expectedOrder = Enumerable.Range(0, keys.Length).OrderBy(k => keys[k]).ToArray();

        Assert.Equal(expectedOrder, StableTimeSort.Sort(keys));
    }
}
