using FsCheck;
using FsCheck.Xunit;
using RecEngine.Data.Synthetic;

namespace RecEngine.Tests.Data.Synthetic;

public sealed class UserActivityTests
{
    [Property(MaxTest = 200)]
    public void Allocate_AnyFeasibleShape_SumsExactlyWithinTheBounds(PositiveInt users, byte minimum, byte extra, byte fill, int seed)
    {
        int userCount = 1 + (users.Get % 500);
        int min = 1 + (minimum % 30);
        int max = min + (extra % 200);
        long low = (long)userCount * min;
        long high = (long)userCount * max;
        int total = (int)(low + ((high - low) * fill / 255));
        var random = new Xoshiro256((ulong)seed, 0, 0);

        int[] counts = UserActivity.Allocate(ref random, userCount, total, min, max, tailIndex: 3.0);

        Assert.Equal(total, counts.Sum());
        Assert.All(counts, c => Assert.InRange(c, min, max));
    }

    [Fact]
    public void Allocate_MovieLensShape_MatchesMovieLensActivity()
    {
        var random = new Xoshiro256(42, 2, 0);
        int[] counts = UserActivity.Allocate(ref random, 6_040, 1_000_209, 20, 2_223, tailIndex: 3.0);
        Array.Sort(counts);

        // MovieLens-1M: minimum 20, median 96, mean 165.6.
        Assert.Equal(20, counts[0]);
        Assert.InRange(counts[counts.Length / 2], 80, 115);
        Assert.True(counts.Count(c => c == 20) > 20, "The floor should bind for some users.");
    }

    [Fact]
    public void Allocate_SmallerTailIndex_GivesHeavierUsers()
    {
        var light = new Xoshiro256(1, 0, 0);
        var heavy = new Xoshiro256(1, 0, 0);
        int[] lightTail = UserActivity.Allocate(ref light, 2_000, 100_000, 20, 5_000, tailIndex: 5.0);
        int[] heavyTail = UserActivity.Allocate(ref heavy, 2_000, 100_000, 20, 5_000, tailIndex: 1.5);

        Assert.True(heavyTail.Max() > 2 * lightTail.Max(), $"Max {heavyTail.Max()} vs {lightTail.Max()}.");
    }
}
