namespace RecEngine.Tests.TestUtilities;

/// <summary>
/// Bytes a piece of code allocates on the calling thread once warm. The runtime itself may allocate once on a thread
/// when it installs optimised code in the middle of a measurement (more likely late in a busy parallel test run), so
/// a measurement repeats a round until one allocates nothing, at most <c>maxRounds</c> times: code that allocates on
/// every call shows in every round.
/// </summary>
internal static class SteadyAllocation
{
    /// <summary>The bytes allocated by each round run, the last being 0 when a round allocated nothing.</summary>
    public static IReadOnlyList<long> Rounds(Action round, int maxRounds = 5)
    {
        var rounds = new List<long>();
        do
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            round();
            rounds.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        while (rounds[^1] != 0 && rounds.Count < maxRounds);

        return rounds;
    }

    /// <summary>Fails unless a round of <paramref name="round"/> allocates nothing on this thread (see the class remarks).</summary>
    public static void AssertNone(Action round, int maxRounds = 5)
    {
        IReadOnlyList<long> rounds = Rounds(round, maxRounds);
        Xunit.Assert.True(rounds[^1] == 0, $"bytes allocated by each round: {string.Join(", ", rounds)}");
    }
}
