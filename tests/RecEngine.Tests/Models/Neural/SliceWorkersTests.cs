using RecEngine.Models.Neural;

namespace RecEngine.Tests.Models.Neural;

public sealed class SliceWorkersTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(50)]
    public void EveryWorkerRunsOncePerRound_AndJoinWaitsForAll(int spinMilliseconds)
    {
        // Spin 0 makes every wait block; a long spin keeps them spinning; each worker sleeps a little in some rounds so
        // that the caller has to wait for it.
        const int workers = 3, rounds = 200;
        var runs = new int[workers + 1];
        var threads = new int[workers + 1];
        using var pool = new SliceWorkers(workers, number =>
        {
            threads[number] = Environment.CurrentManagedThreadId;
            if (number == 2 && Volatile.Read(ref runs[number]) % 50 == 0)
            {
                Thread.Sleep(5);
            }

            Interlocked.Increment(ref runs[number]);
        }, TimeSpan.FromMilliseconds(spinMilliseconds), "test workers");

        for (int round = 1; round <= rounds; round++)
        {
            pool.Post();
            pool.Join();
            for (int w = 1; w <= workers; w++)
            {
                Assert.Equal(round, Volatile.Read(ref runs[w]));
            }
        }

        Assert.Equal(0, runs[0]);
        Assert.Equal(workers, threads.Skip(1).Distinct().Count());
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, threads.Skip(1));
    }

    [Fact]
    public void AFailingWorker_IsRethrownByJoin_AndTheNextRoundRuns()
    {
        int calls = 0;
        using var pool = new SliceWorkers(2, number =>
        {
            if (number == 2 && Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("worker 2 failed");
            }
        }, TimeSpan.Zero, "test workers");

        pool.Post();
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(pool.Join);
        Assert.Equal("worker 2 failed", error.Message);

        pool.Post();
        pool.Join();
        Assert.Equal(2, Volatile.Read(ref calls));
    }

    [Fact]
    public void Dispose_EndsTheThreads_AndLaterRoundsAreRefused()
    {
        var threads = new Thread?[3];
        var pool = new SliceWorkers(2, number => threads[number] = Thread.CurrentThread, TimeSpan.FromMilliseconds(100), "test workers");
        pool.Post();
        pool.Join();

        pool.Dispose();
        pool.Dispose();

        Assert.All(threads.Skip(1), thread => Assert.False(thread!.IsAlive));
        Assert.Throws<ObjectDisposedException>(pool.Post);
    }

    [Fact]
    public void PostBeforeTheLastRoundIsJoined_IsRefused()
    {
        using var release = new ManualResetEventSlim();
        using var pool = new SliceWorkers(1, _ => release.Wait(TimeSpan.FromSeconds(30)), TimeSpan.Zero, "test workers");
        pool.Post();

        Assert.Throws<InvalidOperationException>(pool.Post);

        release.Set();
        pool.Join();
        pool.Post();
        pool.Join();
    }
}
