using FsCheck;
using FsCheck.Xunit;
using RecEngine.Data.Synthetic;

namespace RecEngine.Tests.Data.Synthetic;

public sealed class FenwickTreeTests
{
    [Property(MaxTest = 200)]
    public void Find_EqualsALinearScanOfPrefixSums(NonEmptyArray<PositiveInt> raw, int seed)
    {
        long[] weights = raw.Get.Select(w => (long)w.Get).ToArray();
        var tree = new long[weights.Length];
        long total = FenwickTree.Build(weights, tree);
        Assert.Equal(weights.Sum(), total);

        var random = new Xoshiro256((ulong)seed, 0, 0);
        for (int k = 0; k < 20; k++)
        {
            long target = (long)random.NextUInt64((ulong)total);
            Assert.Equal(LinearFind(weights, target), FenwickTree.Find(tree, target));
        }
    }

    [Property(MaxTest = 100)]
    public void Add_ThenFind_TracksTheChangedWeights(NonEmptyArray<PositiveInt> raw, int seed)
    {
        long[] weights = raw.Get.Select(w => (long)w.Get).ToArray();
        var tree = new long[weights.Length];
        FenwickTree.Build(weights, tree);
        long[] original = (long[])tree.Clone();
        var random = new Xoshiro256((ulong)seed, 0, 0);

        // Zero out some weights, as taking an item does; the zeroed ones are never found.
        var removed = new List<int>();
        for (int k = 0; k < weights.Length / 2; k++)
        {
            int index = random.NextInt(weights.Length);
            if (weights[index] > 0)
            {
                FenwickTree.Add(tree, index, -weights[index]);
                removed.Add(index);
                weights[index] = 0;
            }
        }

        long total = weights.Sum();
        for (long target = 0; target < total; target += 1 + (total / 50))
        {
            int found = FenwickTree.Find(tree, target);
            Assert.Equal(LinearFind(weights, target), found);
            Assert.True(weights[found] > 0);
        }

        // Adding the weights back restores the tree exactly.
        foreach (int index in removed)
        {
            FenwickTree.Add(tree, index, raw.Get[index].Get);
        }

        Assert.Equal(original, tree);
    }

    private static int LinearFind(long[] weights, long target)
    {
        long running = 0;
        for (int k = 0; k < weights.Length; k++)
        {
            running += weights[k];
            if (target < running)
            {
                return k;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(target));
    }
}
