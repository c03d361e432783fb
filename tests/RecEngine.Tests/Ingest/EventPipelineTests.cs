using System.Collections.Concurrent;
using RecEngine.Data;
using RecEngine.Ingest;

namespace RecEngine.Tests.Ingest;

public sealed class EventPipelineTests
{
    /// <summary>Every wait in these tests fails the test instead of hanging it.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Records every applied batch; optionally held closed by a gate, or failing on a chosen item.</summary>
    private sealed class RecordingApplier : IEventApplier
    {
        private volatile TaskCompletionSource _gate = Opened();

        public ConcurrentQueue<WeightedEvent> Applied { get; } = new();

        public ConcurrentQueue<int> BatchSizes { get; } = new();

        public string? FailOnItem { get; init; }

        public void Close() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _gate.TrySetResult();

        public void Apply(ReadOnlySpan<WeightedEvent> batch)
        {
            if (!_gate.Task.Wait(Timeout))
            {
                throw new TimeoutException("The test never opened the gate.");
            }

            BatchSizes.Enqueue(batch.Length);
            foreach (WeightedEvent e in batch)
            {
                if (e.Event.ItemId == FailOnItem)
                {
                    throw new InvalidOperationException("applier failure");
                }
            }

            foreach (WeightedEvent e in batch)
            {
                Applied.Enqueue(e);
            }
        }
    }

    private static TaskCompletionSource Opened()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }

    private static Interaction Event(string user, string item, float value = 1f, EventKind? kind = null) =>
        new(user, item, value, DateTimeOffset.UnixEpoch, kind ?? EventKind.View);

    [Fact]
    public async Task Submit_ThenFlush_AppliesEveryEventInOrderWithItsWeight()
    {
        var applier = new RecordingApplier();
        await using var pipeline = new EventPipeline(new IngestOptions { MaxBatchSize = 7 }, applier);
        for (int i = 0; i < 100; i++)
        {
            SubmitResult result = await pipeline.SubmitAsync(Event($"u{i % 3}", $"i{i}", 1f, i % 2 == 0 ? EventKind.Purchase : EventKind.Click));
            Assert.True(result.Accepted);
        }

        await pipeline.FlushAsync().WaitAsync(Timeout);

        WeightedEvent[] applied = [.. applier.Applied];
        Assert.Equal(100, applied.Length);
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), applied.Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"i{i}"), applied.Select(e => e.Event.ItemId));
        Assert.Equal(8f, applied[0].Weight);
        Assert.Equal(2f, applied[1].Weight);
        Assert.All(applier.BatchSizes, size => Assert.InRange(size, 1, 7));
        IngestCounters counters = pipeline.Counters;
        Assert.Equal(100, counters.Accepted);
        Assert.Equal(100, counters.Applied);
        Assert.Equal(0, counters.Rejected);
    }

    [Fact]
    public async Task InvalidEvents_AreRejectedWithTheirReason_CountedAndNeverApplied()
    {
        var applier = new RecordingApplier();
        var options = new IngestOptions { AllowNegativeWeights = false, MaxIdLength = 8 };
        options.Weights.Set(new EventKind("dislike"), -1f);
        await using var pipeline = new EventPipeline(options, applier);

        (Interaction Event, EventRejectionReason Reason)[] cases =
        [
            (Event("", "i"), EventRejectionReason.EmptyUserId),
            (Event(null!, "i"), EventRejectionReason.EmptyUserId),
            (Event("u", ""), EventRejectionReason.EmptyItemId),
            (Event("u", "a-very-long-item-id"), EventRejectionReason.IdTooLong),
            (Event("u", "i", 1f, new EventKind("a-very-long-kind-name")), EventRejectionReason.IdTooLong),
            (Event("u\uD800", "i"), EventRejectionReason.MalformedText),
            (Event("u", "\uDC00x"), EventRejectionReason.MalformedText),
            (Event("u", "i", float.NaN), EventRejectionReason.NonFiniteValue),
            (Event("u", "i", float.PositiveInfinity), EventRejectionReason.NonFiniteValue),
            (Event("u", "i", float.MaxValue, EventKind.Purchase), EventRejectionReason.NonFiniteValue),
            (Event("u", "i", 1f, new EventKind("teleport")), EventRejectionReason.UnknownKind),
            (Event("u", "i", 1f, new EventKind("dislike")), EventRejectionReason.NegativeWeight),
            (Event("u", "i", -3f, EventKind.Rating), EventRejectionReason.NegativeWeight),
        ];
        foreach ((Interaction e, EventRejectionReason reason) in cases)
        {
            SubmitResult result = await pipeline.SubmitAsync(e);
            Assert.False(result.Accepted);
            Assert.Equal(reason, result.Reason);
        }

        Assert.True((await pipeline.SubmitAsync(Event("u", "ok"))).Accepted);
        Assert.True((await pipeline.SubmitAsync(Event("\uD83D\uDE00", "ok"))).Accepted);
        await pipeline.FlushAsync().WaitAsync(Timeout);

        Assert.Equal(["ok", "ok"], applier.Applied.Select(e => e.Event.ItemId));
        IngestCounters counters = pipeline.Counters;
        Assert.Equal(cases.Length, counters.Rejected);
        Assert.Equal(2, counters.RejectedFor(EventRejectionReason.NegativeWeight));
        Assert.Equal(3, counters.RejectedFor(EventRejectionReason.NonFiniteValue));
    }

    [Fact]
    public async Task NegativeFeedback_IsAcceptedByDefault_WithItsNegativeWeight()
    {
        var applier = new RecordingApplier();
        var options = new IngestOptions();
        options.Weights.Set(new EventKind("remove-from-cart"), -4f);
        await using var pipeline = new EventPipeline(options, applier);

        Assert.True((await pipeline.SubmitAsync(Event("u", "i", 1f, new EventKind("remove-from-cart")))).Accepted);
        await pipeline.FlushAsync().WaitAsync(Timeout);
        Assert.Equal(-4f, Assert.Single(applier.Applied).Weight);
    }

    [Fact]
    public async Task RejectPolicy_FullQueue_ReturnsQueueFull()
    {
        var applier = new RecordingApplier();
        applier.Close();
        await using var pipeline = new EventPipeline(new IngestOptions { QueueCapacity = 4, MaxBatchSize = 1, FullQueuePolicy = FullQueuePolicy.Reject }, applier);

        // The consumer takes the first event and blocks on the gate; four more fill the queue.
        var results = new List<SubmitResult>();
        for (int i = 0; i < 20; i++)
        {
            results.Add(await pipeline.SubmitAsync(Event("u", $"i{i}")));
        }

        Assert.Contains(results, r => r.Reason == EventRejectionReason.QueueFull);
        long accepted = results.Count(r => r.Accepted);
        Assert.InRange(accepted, 4, 5);
        applier.Open();
        await pipeline.FlushAsync().WaitAsync(Timeout);

        IngestCounters counters = pipeline.Counters;
        Assert.Equal(accepted, counters.Applied);
        Assert.Equal(20 - accepted, counters.RejectedFor(EventRejectionReason.QueueFull));

        // Accepted events are applied in submission order, numbered without gaps.
        Assert.Equal(Enumerable.Range(1, (int)accepted).Select(i => (long)i), applier.Applied.Select(e => e.Sequence));
        int[] items = [.. applier.Applied.Select(e => int.Parse(e.Event.ItemId[1..], System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Equal(items.Order(), items);
    }

    [Fact]
    public async Task WaitPolicy_FullQueue_WaitsForRoom_AndACancelledSubmissionIsNotQueued()
    {
        var applier = new RecordingApplier();
        applier.Close();
        await using var pipeline = new EventPipeline(new IngestOptions { QueueCapacity = 2, MaxBatchSize = 1 }, applier);
        for (int i = 0; i < 3; i++)
        {
            await pipeline.SubmitAsync(Event("u", $"i{i}")).AsTask().WaitAsync(Timeout);
        }

        // The queue is full now: a submission waits, and cancelling it leaves nothing behind.
        using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.SubmitAsync(Event("u", "cancelled"), cancel.Token).AsTask());
        }

        ValueTask<SubmitResult> waiting = pipeline.SubmitAsync(Event("u", "waits"));
        Assert.False(waiting.IsCompleted);
        applier.Open();
        Assert.True((await waiting.AsTask().WaitAsync(Timeout)).Accepted);
        await pipeline.FlushAsync().WaitAsync(Timeout);

        Assert.Equal(["i0", "i1", "i2", "waits"], applier.Applied.Select(e => e.Event.ItemId));
    }

    [Fact]
    public async Task DropOldestPolicy_CountsWhatItDrops_AndFlushStillCompletes()
    {
        var applier = new RecordingApplier();
        applier.Close();
        await using var pipeline = new EventPipeline(new IngestOptions { QueueCapacity = 8, MaxBatchSize = 1, FullQueuePolicy = FullQueuePolicy.DropOldest }, applier);
        Task flushBehindTheFirst = Task.CompletedTask;
        for (int i = 0; i < 50; i++)
        {
            Assert.True((await pipeline.SubmitAsync(Event("u", $"i{i}"))).Accepted);
            if (i == 3)
            {
                // A flush waits for the events before it, which are about to be dropped: it must still complete,
                // and it takes no room in the queue (it never pushes an event out).
                flushBehindTheFirst = pipeline.FlushAsync();
            }
        }

        applier.Open();
        await flushBehindTheFirst.WaitAsync(Timeout);
        await pipeline.FlushAsync().WaitAsync(Timeout);

        IngestCounters counters = pipeline.Counters;
        Assert.Equal(50, counters.Accepted);
        Assert.True(counters.Dropped > 0);
        Assert.Equal(50, counters.Applied + counters.Dropped);

        // What survives is the newest events, in order.
        int[] applied = [.. applier.Applied.Select(e => int.Parse(e.Event.ItemId[1..], System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Equal(49, applied[^1]);
        Assert.Equal(applied.Order(), applied);
    }

    [Fact]
    public async Task ApplierFailure_FailsOnlyItsBatch_AndIsReported()
    {
        var applier = new RecordingApplier { FailOnItem = "bad" };
        var errors = new ConcurrentQueue<Exception>();
        await using var pipeline = new EventPipeline(new IngestOptions { MaxBatchSize = 1 }, applier, errors.Enqueue);
        await pipeline.SubmitAsync(Event("u", "a"));
        await pipeline.SubmitAsync(Event("u", "bad"));
        await pipeline.SubmitAsync(Event("u", "c"));
        await pipeline.FlushAsync().WaitAsync(Timeout);

        Assert.Equal(["a", "c"], applier.Applied.Select(e => e.Event.ItemId));
        Assert.Equal(1, pipeline.Counters.Failed);
        Assert.IsType<InvalidOperationException>(Assert.Single(errors));
    }

    [Fact]
    public async Task AThrowingErrorCallback_DoesNotStopThePipeline()
    {
        var applier = new RecordingApplier { FailOnItem = "bad" };
        await using var pipeline = new EventPipeline(new IngestOptions { MaxBatchSize = 1 }, applier, _ => throw new InvalidOperationException("callback failure"));
        await pipeline.SubmitAsync(Event("u", "bad"));
        await pipeline.SubmitAsync(Event("u", "after"));
        await pipeline.FlushAsync().WaitAsync(Timeout);
        Assert.Equal(["after"], applier.Applied.Select(e => e.Event.ItemId));
        Assert.Equal(1, pipeline.Counters.Failed);
    }

    [Fact]
    public async Task Flush_OnAFullDropOldestQueue_TakesNoRoomAndDropsNothing()
    {
        var applier = new RecordingApplier();
        applier.Close();
        await using var pipeline = new EventPipeline(new IngestOptions { QueueCapacity = 2, MaxBatchSize = 1, FullQueuePolicy = FullQueuePolicy.DropOldest }, applier);

        // The consumer takes i0 and blocks on the gate; then i1 and i2 fill the queue without a drop.
        await pipeline.SubmitAsync(Event("u", "i0"));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (pipeline.Counters.QueueLength > 0)
        {
            Assert.True(waited.Elapsed < Timeout, "the consumer never took the first event");
            await Task.Delay(1);
        }

        await pipeline.SubmitAsync(Event("u", "i1"));
        await pipeline.SubmitAsync(Event("u", "i2"));
        Task flush = pipeline.FlushAsync();
        Assert.False(flush.IsCompleted);
        applier.Open();
        await flush.WaitAsync(Timeout);
        IngestCounters counters = pipeline.Counters;
        Assert.Equal(0, counters.Dropped);
        Assert.Equal(["i0", "i1", "i2"], applier.Applied.Select(e => e.Event.ItemId));
    }

    [Fact]
    public async Task Dispose_AppliesEverythingQueued_ThenRejectsAsStopped()
    {
        var applier = new RecordingApplier();
        var pipeline = new EventPipeline(new IngestOptions(), applier);
        var result = await pipeline.SubmitAsync(Enumerable.Range(0, 1000).Select(i => Event("u", $"i{i}")));
        Assert.Equal(1000, result.Accepted);
        await pipeline.DisposeAsync().AsTask().WaitAsync(Timeout);

        Assert.Equal(1000, applier.Applied.Count);
        Assert.Equal(EventRejectionReason.Stopped, (await pipeline.SubmitAsync(Event("u", "late"))).Reason);
        await pipeline.FlushAsync().WaitAsync(Timeout);
        await pipeline.DisposeAsync();
    }

    [Fact]
    public async Task StreamAndBatchSubmission_ReportEveryRejectionByPosition()
    {
        var applier = new RecordingApplier();
        await using var pipeline = new EventPipeline(new IngestOptions(), applier);

        static async IAsyncEnumerable<Interaction> Stream()
        {
            for (int i = 0; i < 10; i++)
            {
                await Task.Yield();
                yield return Event(i == 4 ? "" : "u", $"i{i}");
            }
        }

        BatchSubmitResult fromStream = await pipeline.SubmitAsync(Stream());
        Assert.Equal(9, fromStream.Accepted);
        Assert.Equal([new Rejection(4, EventRejectionReason.EmptyUserId)], fromStream.Rejections);

        BatchSubmitResult fromList = await pipeline.SubmitAsync([Event("u", "x"), Event("u", "y", float.NaN)]);
        Assert.Equal(1, fromList.Accepted);
        Assert.Equal([new Rejection(1, EventRejectionReason.NonFiniteValue)], fromList.Rejections);
        await pipeline.FlushAsync().WaitAsync(Timeout);
        Assert.Equal(10, applier.Applied.Count);
    }

    [Fact]
    public async Task ConcurrentSubmitters_EveryEventAppliedExactlyOnce_EachUsersInOrder()
    {
        var applier = new RecordingApplier();
        await using var pipeline = new EventPipeline(new IngestOptions { QueueCapacity = 64, MaxBatchSize = 16 }, applier);
        const int Submitters = 4, PerSubmitter = 2_000;
        // Dedicated threads, so that the submitters really overlap even on a busy thread pool.
        Task[] producers = [.. Enumerable.Range(0, Submitters).Select(p => Task.Factory.StartNew(() =>
        {
            for (int i = 0; i < PerSubmitter; i++)
            {
                // Each submitter is one user: its events must be applied in submission order.
                Assert.True(pipeline.SubmitAsync(Event($"u{p}", i.ToString(System.Globalization.CultureInfo.InvariantCulture))).AsTask().Result.Accepted);
            }
        }, TaskCreationOptions.LongRunning))];
        Task flusher = Task.Run(async () =>
        {
            for (int f = 0; f < 20; f++)
            {
                await pipeline.FlushAsync().WaitAsync(Timeout);
            }
        });
        await Task.WhenAll([.. producers, flusher]).WaitAsync(Timeout);
        await pipeline.FlushAsync().WaitAsync(Timeout);

        WeightedEvent[] applied = [.. applier.Applied];
        Assert.Equal(Submitters * PerSubmitter, applied.Length);
        Assert.Equal(applied.Length, applied.Select(e => e.Sequence).Distinct().Count());
        foreach (IGrouping<string, WeightedEvent> user in applied.GroupBy(e => e.Event.UserId))
        {
            Assert.Equal(Enumerable.Range(0, PerSubmitter), user.Select(e => int.Parse(e.Event.ItemId, System.Globalization.CultureInfo.InvariantCulture)));
        }

        Assert.Equal(Submitters * PerSubmitter, pipeline.Counters.Applied);

        // The submitters interleaved: the applied sequence switches user many times.
        int switches = applied.Zip(applied.Skip(1)).Count(p => p.First.Event.UserId != p.Second.Event.UserId);
        Assert.True(switches > Submitters, $"only {switches} switches between users");
    }

    [Fact]
    public void Options_Validate_NameTheBadProperty()
    {
        var applier = new RecordingApplier();
        Assert.Equal("QueueCapacity", Assert.Throws<ArgumentOutOfRangeException>(() => new EventPipeline(new IngestOptions { QueueCapacity = 0 }, applier)).ParamName);
        Assert.Equal("MaxBatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new EventPipeline(new IngestOptions { MaxBatchSize = 0 }, applier)).ParamName);
        Assert.Equal("FullQueuePolicy", Assert.Throws<ArgumentOutOfRangeException>(() => new EventPipeline(new IngestOptions { FullQueuePolicy = (FullQueuePolicy)9 }, applier)).ParamName);
        Assert.Equal("MaxIdLength", Assert.Throws<ArgumentOutOfRangeException>(() => new EventPipeline(new IngestOptions { MaxIdLength = 0 }, applier)).ParamName);
    }
}
