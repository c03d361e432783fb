using RecEngine.Data.Synthetic;

namespace RecEngine.Tests.Data.Synthetic;

public sealed class UnseenItemSamplerTests
{
    private static SyntheticItems Items(int itemCount = 60, int clusters = 3, double exponent = 1.0, double second = 0.3)
    {
        var random = new Xoshiro256(11, 0, 0);
        return SyntheticItems.Create(ref random, itemCount, clusters, latentDimensions: 2, exponent, second);
    }

    [Fact]
    public void Sample_NeverReturnsATakenItemUntilReset()
    {
        SyntheticItems items = Items();
        var sampler = new UnseenItemSampler(items);
        var random = new Xoshiro256(1, 0, 0);
        var taken = new HashSet<int>();
        while (true)
        {
            int cluster = sampler.SampleCluster(ref random);
            if (cluster < 0)
            {
                break;
            }

            int item = sampler.Sample(ref random, cluster);
            Assert.True(taken.Add(item), $"Item {item} was drawn twice.");
            Assert.True(items.MainClusters[item] == cluster || items.SecondClusters[item] == cluster);
            sampler.Take(item);
        }

        Assert.Equal(items.Count, taken.Count);
        sampler.Reset();
        Assert.Equal(0, sampler.TakenCount);
        for (int c = 0; c < items.ClusterCount; c++)
        {
            Assert.True(sampler.HasUnseen(c));
        }
    }

    [Fact]
    public void Reset_RestoresTheSameDrawsAsAFreshSampler()
    {
        SyntheticItems items = Items();
        var used = new UnseenItemSampler(items);
        var warmUp = new Xoshiro256(2, 0, 0);
        for (int k = 0; k < 25; k++)
        {
            int cluster = used.SampleCluster(ref warmUp);
            used.Take(used.Sample(ref warmUp, cluster));
        }

        used.Reset();
        var fresh = new UnseenItemSampler(items);
        var a = new Xoshiro256(3, 0, 0);
        var b = new Xoshiro256(3, 0, 0);
        for (int k = 0; k < 200; k++)
        {
            int cluster = k % items.ClusterCount;
            Assert.Equal(fresh.Sample(ref a, cluster), used.Sample(ref b, cluster));
        }
    }

    [Fact]
    public void Sample_FollowsTheMembershipWeights()
    {
        SyntheticItems items = Items(itemCount: 40, clusters: 1, exponent: 1.0, second: 0);
        var sampler = new UnseenItemSampler(items);
        var random = new Xoshiro256(4, 0, 0);
        var counts = new int[items.Count];
        const int draws = 200_000;
        for (int k = 0; k < draws; k++)
        {
            counts[sampler.Sample(ref random, 0)]++;
        }

        double total = items.Popularity.Sum();
        for (int i = 0; i < items.Count; i++)
        {
            double expected = draws * items.Popularity[i] / total;
            Assert.True(Math.Abs(counts[i] - expected) < 5 * Math.Sqrt(expected) + 5, $"Item {i}: {counts[i]} draws, {expected:F0} expected.");
        }
    }

    [Fact]
    public void Take_ItemWithTwoClusters_RemovesItFromBoth()
    {
        SyntheticItems items = Items(itemCount: 30, clusters: 2, second: 1.0);
        var sampler = new UnseenItemSampler(items);
        var random = new Xoshiro256(5, 0, 0);
        for (int i = 0; i < items.Count; i++)
        {
            sampler.Take(i);
        }

        Assert.False(sampler.HasUnseen(0));
        Assert.False(sampler.HasUnseen(1));
        Assert.Equal(-1, sampler.SampleCluster(ref random));
    }
}
