using RecEngine.Data;

namespace RecEngine.Tests.Data;

public sealed class IdMapTests
{
    [Fact]
    public void GetOrAdd_AssignsDenseIndicesInOrderOfFirstAppearance()
    {
        var map = new IdMap();
        Assert.Equal(0, map.GetOrAdd("b"));
        Assert.Equal(1, map.GetOrAdd("a"));
        Assert.Equal(0, map.GetOrAdd("b"));
        Assert.Equal(2, map.Count);
        Assert.Equal("b", map.GetId(0));
        Assert.Equal("a", map.GetId(1));
    }

    [Fact]
    public void TryGetIndex_UnknownOrNull_ReturnsFalse()
    {
        var map = new IdMap();
        map.GetOrAdd("x");
        Assert.False(map.TryGetIndex("y", out int index));
        Assert.Equal(-1, index);
        Assert.False(map.TryGetIndex(null, out _));
    }

    [Fact]
    public void GetOrAdd_NullOrEmpty_ThrowsNamingTheArgument()
    {
        var map = new IdMap();
        Assert.Equal("id", Assert.Throws<ArgumentNullException>(() => map.GetOrAdd(null!)).ParamName);
        Assert.Equal("id", Assert.Throws<ArgumentException>(() => map.GetOrAdd("")).ParamName);
        Assert.Equal(0, map.Count);
    }

    [Fact]
    public void GetId_OutOfRange_Throws()
    {
        var map = new IdMap();
        map.GetOrAdd("x");
        Assert.Throws<ArgumentOutOfRangeException>(() => map.GetId(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => map.GetId(-1));
    }

    [Fact]
    public async Task ConcurrentReadersDuringAdds_AlwaysMapBackConsistently()
    {
        var map = new IdMap(capacity: 4);
        const int total = 50_000;
        using var done = new CancellationTokenSource();
        int inconsistencies = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var random = new Random(7);
            while (!done.IsCancellationRequested)
            {
                int count = map.Count;
                if (count == 0)
                {
                    continue;
                }

                int index = random.Next(count);
                string id = map.GetId(index);
                if (!map.TryGetIndex(id, out int back) || back != index || id != $"id{index}")
                {
                    Interlocked.Increment(ref inconsistencies);
                }
            }
        })).ToArray();

        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            // Both writers add the same ids in the same order, so index i is always "id{i}".
            for (int i = 0; i < total; i++)
            {
                map.GetOrAdd($"id{i}");
            }
        })).ToArray();

        // Every wait has a timeout that fails the test instead of hanging it.
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));
        await done.CancelAsync();
        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(total, map.Count);
        Assert.Equal(0, inconsistencies);
    }
}
