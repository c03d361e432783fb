using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Tests.Data.Loading;

namespace RecEngine.Tests.Ingest;

/// <summary>The pipeline with its write-ahead log: acknowledged means logged, forced to storage and applied.</summary>
public sealed class DurablePipelineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Keeps what it applied, readable from any thread.</summary>
    private sealed class ListApplier : IEventApplier
    {
        private readonly Lock _lock = new();
        private readonly List<WeightedEvent> _applied = [];

        public WeightedEvent[] Applied
        {
            get
            {
                lock (_lock)
                {
                    return [.. _applied];
                }
            }
        }

        public void Apply(ReadOnlySpan<WeightedEvent> batch)
        {
            lock (_lock)
            {
                _applied.AddRange(batch);
            }
        }
    }

    private static Interaction Event(string user, string item) => new(user, item, 1f, DateTimeOffset.FromUnixTimeMilliseconds(1_000), EventKind.Click);

    private static List<WeightedEvent> ReadLog(string directory)
    {
        var events = new List<WeightedEvent>();
        using EventLog log = EventLog.Open(directory, new EventLogOptions(), batch => events.AddRange(batch), out _);
        return events;
    }

    [Fact]
    public async Task AcknowledgedSubmission_IsLoggedAndAlreadyApplied()
    {
        using var folder = new TempFolder();
        var applier = new ListApplier();
        using (EventLog log = EventLog.Open(folder.Path, new EventLogOptions(), null, out _))
        {
            await using var pipeline = new EventPipeline(new IngestOptions(), applier, log: log);
            for (int i = 0; i < 20; i++)
            {
                Assert.True((await pipeline.SubmitAsync(Event("u", $"i{i}")).AsTask().WaitAsync(Timeout)).Accepted);

                // Read-your-writes at acknowledgement: no flush needed.
                Assert.Equal($"i{i}", applier.Applied[^1].Event.ItemId);
                Assert.Equal(i + 1, log.LastSequence);
            }
        }

        List<WeightedEvent> logged = ReadLog(folder.Path);
        Assert.Equal(applier.Applied, logged);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), logged.Select(e => e.Sequence));
    }

    [Fact]
    public async Task BatchSubmission_IsLoggedInMicroBatches_AndSequencesGoOnAfterARestart()
    {
        using var folder = new TempFolder();
        var applier = new ListApplier();
        using (EventLog log = EventLog.Open(folder.Path, new EventLogOptions(), null, out _))
        {
            await using var pipeline = new EventPipeline(new IngestOptions { MaxBatchSize = 64 }, applier, log: log);
            BatchSubmitResult result = await pipeline.SubmitAsync(Enumerable.Range(0, 1000).Select(i => Event($"u{i % 9}", $"i{i}"))).AsTask().WaitAsync(Timeout);
            Assert.Equal(1000, result.Accepted);
            Assert.Equal(1000, applier.Applied.Length);

            // Many events share one forced write.
            Assert.True(pipeline.Counters.Batches < 500, $"{pipeline.Counters.Batches} batches");
        }

        // A restart replays the log, then numbering continues after it.
        var replayed = new List<WeightedEvent>();
        using (EventLog log = EventLog.Open(folder.Path, new EventLogOptions(), batch => replayed.AddRange(batch), out LogRecovery recovery))
        {
            Assert.Equal(1000, recovery.Records);
            var after = new ListApplier();
            await using var pipeline = new EventPipeline(new IngestOptions(), after, log: log);
            await pipeline.SubmitAsync(Event("u", "next")).AsTask().WaitAsync(Timeout);
            Assert.Equal(1001, Assert.Single(after.Applied).Sequence);
        }

        Assert.Equal(applier.Applied, replayed);
        Assert.Equal(1001, ReadLog(folder.Path).Count);
    }

    [Fact]
    public async Task EventsThatCannotBeLogged_AreNotApplied_AndTheSubmissionFails()
    {
        using var folder = new TempFolder();
        var applier = new ListApplier();
        var errors = new List<Exception>();
        EventLog log = EventLog.Open(folder.Path, new EventLogOptions(), null, out _);
        await using var pipeline = new EventPipeline(new IngestOptions(), applier, e => { lock (errors) { errors.Add(e); } }, log);
        await pipeline.SubmitAsync(Event("u", "kept")).AsTask().WaitAsync(Timeout);

        log.Dispose();
        var failure = await Assert.ThrowsAsync<IOException>(() => pipeline.SubmitAsync(Event("u", "lost")).AsTask().WaitAsync(Timeout));
        Assert.Contains("not applied", failure.Message);

        Assert.Equal(["kept"], applier.Applied.Select(e => e.Event.ItemId));
        Assert.Equal(1, pipeline.Counters.Failed);
        lock (errors)
        {
            Assert.Single(errors);
        }
    }

    [Fact]
    public async Task DropOldest_TellsWaitingSubmittersTheirEventWasDropped()
    {
        using var folder = new TempFolder();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var applier = new GatedApplier(gate.Task);
        using EventLog log = EventLog.Open(folder.Path, new EventLogOptions(), null, out _);
        await using var pipeline = new EventPipeline(new IngestOptions { QueueCapacity = 2, MaxBatchSize = 1, FullQueuePolicy = FullQueuePolicy.DropOldest }, applier, log: log);
        Task<SubmitResult>[] submissions = [.. Enumerable.Range(0, 10).Select(i => pipeline.SubmitAsync(Event("u", $"i{i}")).AsTask())];
        gate.SetResult();
        SubmitResult[] results = await Task.WhenAll(submissions).WaitAsync(Timeout);

        Assert.Contains(results, r => r.Reason == EventRejectionReason.Dropped);
        Assert.Equal(results.Count(r => r.Accepted), ReadLogCount(log));
        Assert.Equal(pipeline.Counters.Dropped, results.Count(r => r.Reason == EventRejectionReason.Dropped));
    }

    private static long ReadLogCount(EventLog log) => log.LastSequence;

    private sealed class GatedApplier(Task gate) : IEventApplier
    {
        public void Apply(ReadOnlySpan<WeightedEvent> batch)
        {
            if (!gate.Wait(Timeout))
            {
                throw new TimeoutException("The test never opened the gate.");
            }
        }
    }
}
