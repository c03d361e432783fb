using RecEngine.Models.Factorization;

namespace RecEngine.Tests.Models.Factorization;

public sealed class ConfidenceCacheTests
{
    [Fact]
    public void Acquire_EvictsTheLeastRecentlyUsed_AndHandsOutZeroedArrays()
    {
        // k = 2: 32 bytes a user, 96 bytes hold three.
        var cache = new ConfidenceCache(2, 96);
        Assert.Equal(3, cache.Capacity);
        foreach (int user in new[] { 1, 2, 3 })
        {
            double[] terms = cache.Acquire(user, out bool cached);
            Assert.False(cached);
            Assert.All(terms, t => Assert.Equal(0.0, t));
            terms.AsSpan().Fill(user);
        }

        Assert.Equal([1.0, 1.0, 1.0, 1.0], cache.Find(1)!);
        double[] fourth = cache.Acquire(4, out _);
        Assert.Null(cache.Find(2));
        Assert.All(fourth, t => Assert.Equal(0.0, t));
        Assert.Equal([3.0, 3.0, 3.0, 3.0], cache.Acquire(3, out bool again));
        Assert.True(again);

        cache.Remove(3);
        Assert.Null(cache.Find(3));
        Assert.Equal(2, cache.Count);
        cache.Clear();
        Assert.Equal(0, cache.Count);
        Assert.Null(cache.Find(1));
    }
}
