using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using RecEngine.Data;

namespace RecEngine.Ingest;

/// <summary>
/// The ingest pipeline: events are checked and weighed on submission, queued in a bounded channel and applied by
/// one consumer task in micro-batches, in submission order (so every user's events are applied in the order they
/// were submitted). The consumer numbers events in queue order (<see cref="WeightedEvent.Sequence"/>, from 1 or after
/// the last sequence of a recovered log), which is the order of application. <see cref="FlushAsync"/> returns once
/// everything submitted before it has been applied.
/// </summary>
/// <remarks>
/// <para>
/// <b>Full queue</b>: <see cref="FullQueuePolicy.Wait"/> waits for room (cancellable; a cancelled submission is not
/// queued), <see cref="FullQueuePolicy.Reject"/> returns <see cref="EventRejectionReason.QueueFull"/>,
/// <see cref="FullQueuePolicy.DropOldest"/> accepts the event and drops the oldest queued one, counted in
/// <see cref="IngestCounters.Dropped"/>.
/// </para>
/// <para>
/// <b>Flush</b> takes the number of events queued so far and waits until as many have been completed (applied,
/// failed or dropped). Events complete in queue order (the consumer takes the oldest, drop-oldest drops the oldest),
/// so that count means every one of them is done. A flush never enters the queue, so it neither waits for room nor
/// pushes an event out.
/// </para>
/// <para>
/// <b>Faults</b>: an exception from the applier fails that micro-batch only; its events are counted in
/// <see cref="IngestCounters.Failed"/>, the exception goes to the error callback, and the pipeline goes on.
/// <see cref="DisposeAsync"/> stops accepting, applies everything queued, and waits for the consumer.
/// </para>
/// <para>
/// <b>Metrics</b>: <see cref="IngestMetrics"/> documents the instruments (meter <c>RecEngine</c>).
/// </para>
/// <para>Thread safety: any number of threads may submit and flush concurrently.</para>
/// </remarks>
internal sealed class EventPipeline : IAsyncDisposable
{
    private readonly IngestOptions _options;
    private readonly IEventApplier _applier;
    private readonly Action<Exception>? _onError;
    private readonly EventLog? _log;
    private readonly bool _durableAcks;
    private readonly IngestMetrics _metrics;
    private readonly Channel<Envelope> _channel;
    private readonly Task _consumer;
    private readonly Lock _applyGate = new();
    private readonly IdAdmission? _users;
    private readonly IdAdmission? _items;
    private readonly Lock _flushLock = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _flushes = [];
    private long _enqueued;
    private long _completed;
    private readonly long[] _rejected = new long[Enum.GetValues<EventRejectionReason>().Length];
    private long _sequence;
    private long _accepted;
    private long _applied;
    private long _dropped;
    private long _failed;
    private long _batches;
    private int _stopped;

    /// <summary>Creates the pipeline and starts its consumer.</summary>
    /// <param name="options">Options; validated.</param>
    /// <param name="applier">Applies micro-batches; called from the consumer task only.</param>
    /// <param name="onError">Receives exceptions thrown by the applier; <see langword="null"/> to ignore them (they are still counted).</param>
    /// <param name="log">
    /// The write-ahead log every micro-batch is appended to before it is applied, or <see langword="null"/>; numbering
    /// goes on after its last sequence. Under <see cref="FsyncPolicy.PerBatch"/>, a submission completes only once its
    /// event is logged, forced to storage and applied: an acknowledged event is never lost.
    /// </param>
    /// <param name="meterFactory">Creates the meter of <see cref="IngestMetrics"/>; <see langword="null"/> for a meter the pipeline owns.</param>
    /// <param name="sequenceAfter">Numbering starts after this sequence, or after the log's last one if that is higher (a snapshot may hold events the log lost).</param>
    /// <param name="known">The user and item ids known before the first event, which count towards <see cref="IngestOptions.MaxUsers"/> and <see cref="IngestOptions.MaxItems"/>; read only when a cap is set.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The options are invalid.</exception>
    public EventPipeline(
        IngestOptions options, IEventApplier applier, Action<Exception>? onError = null, EventLog? log = null, IMeterFactory? meterFactory = null, long sequenceAfter = 0,
        Func<(IReadOnlyList<string> Users, IReadOnlyList<string> Items)>? known = null)
    {
        _log = log;
        _durableAcks = log?.Policy == FsyncPolicy.PerBatch;
        _sequence = Math.Max(log?.LastSequence ?? 0, sequenceAfter);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(applier);
        options.Validate();
        _options = options;
        _applier = applier;
        _onError = onError;
        if (options.MaxUsers is not null || options.MaxItems is not null)
        {
            (IReadOnlyList<string> users, IReadOnlyList<string> items) = known?.Invoke() ?? ([], []);
            _users = options.MaxUsers is { } maxUsers ? new IdAdmission(maxUsers, users) : null;
            _items = options.MaxItems is { } maxItems ? new IdAdmission(maxItems, items) : null;
        }

        var channelOptions = new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
            FullMode = options.FullQueuePolicy == FullQueuePolicy.DropOldest ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait,
        };
        _channel = Channel.CreateBounded<Envelope>(channelOptions, OnDropped);
        _metrics = new IngestMetrics(meterFactory, () => _channel.Reader.Count);
        _consumer = Task.Run(ConsumeAsync);
    }

    /// <summary>A snapshot of the counters.</summary>
    public IngestCounters Counters => new(
        Interlocked.Read(ref _accepted),
        Interlocked.Read(ref _applied),
        Interlocked.Read(ref _dropped),
        Interlocked.Read(ref _failed),
        Interlocked.Read(ref _batches),
        _channel.Reader.Count,
        RejectedCounts());

    private long[] RejectedCounts()
    {
        var counts = new long[_rejected.Length];
        for (int r = 0; r < counts.Length; r++)
        {
            counts[r] = Interlocked.Read(ref _rejected[r]);
        }

        return counts;
    }

    /// <summary>
    /// Checks one event and queues it under the full-queue policy. With a per-batch durable log, completes once the
    /// event is logged, forced to storage and applied.
    /// </summary>
    /// <exception cref="OperationCanceledException">
    /// Cancelled while waiting for room (the event is not queued) or, with a durable log, while waiting for the event
    /// to be logged (it stays queued and will be applied).
    /// </exception>
    /// <exception cref="IOException">With a durable log: the event could not be logged, and was not applied.</exception>
    public async ValueTask<SubmitResult> SubmitAsync(Interaction interaction, CancellationToken cancellationToken = default)
    {
        (SubmitResult result, Task<SubmitResult>? acknowledged) = await EnqueueAsync(interaction, cancellationToken).ConfigureAwait(false);
        return acknowledged is null ? result : await acknowledged.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Submits events one after the other, in order; returns the count accepted and every rejection. With a
    /// per-batch durable log, completes once every accepted event is logged and applied (the events are logged in
    /// micro-batches, not one forced write each).
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled; events before the cancellation stay submitted.</exception>
    public async ValueTask<BatchSubmitResult> SubmitAsync(IEnumerable<Interaction> interactions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        var tally = new Tally();
        foreach (Interaction interaction in interactions)
        {
            await tally.AddAsync(await EnqueueAsync(interaction, cancellationToken).ConfigureAwait(false), _options.QueueCapacity, cancellationToken).ConfigureAwait(false);
        }

        return await tally.ResultAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Submits a stream of events in order as they arrive; returns the count accepted and every rejection. With a
    /// per-batch durable log, completes once every accepted event is logged and applied.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled; events before the cancellation stay submitted.</exception>
    public async ValueTask<BatchSubmitResult> SubmitAsync(IAsyncEnumerable<Interaction> interactions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        var tally = new Tally();
        await foreach (Interaction interaction in interactions.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            await tally.AddAsync(await EnqueueAsync(interaction, cancellationToken).ConfigureAwait(false), _options.QueueCapacity, cancellationToken).ConfigureAwait(false);
        }

        return await tally.ResultAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Completes when every event submitted before the call has been applied (or dropped, or failed): after it,
    /// readers see all of them.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled while waiting.</exception>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        long target = Interlocked.Read(ref _enqueued);
        TaskCompletionSource done;
        lock (_flushLock)
        {
            if (Interlocked.Read(ref _completed) >= target)
            {
                return Task.CompletedTask;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _flushes.Add((target, done));
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="action"/> between two micro-batches: no batch is logged or applied while it runs (ingestion
    /// queues up meanwhile; serving goes on). For work that must see the log and the models agree, such as erasure.
    /// </summary>
    public T Exclusive<T>(Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (_applyGate)
        {
            return action();
        }
    }

    /// <summary>Gives back the admission places of ids that are no longer known (erased users).</summary>
    public void ReleaseUsers(IEnumerable<string> userIds)
    {
        if (_users is null)
        {
            return;
        }

        foreach (string id in userIds)
        {
            _users.Release(id);
        }
    }

    /// <summary>Stops accepting events, applies everything queued, and waits for the consumer to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            _channel.Writer.TryComplete();
        }

        await _consumer.ConfigureAwait(false);
        _metrics.Dispose();
    }

    /// <summary>Checks and queues one event; returns the immediate result and, with durable acknowledgements, the task of the final one.</summary>
    private async ValueTask<(SubmitResult Result, Task<SubmitResult>? Acknowledged)> EnqueueAsync(Interaction interaction, CancellationToken cancellationToken)
    {
        EventRejectionReason reason = _options.Check(interaction, out float weight);
        if (reason == EventRejectionReason.None && Volatile.Read(ref _stopped) != 0)
        {
            reason = EventRejectionReason.Stopped;
        }

        if (reason == EventRejectionReason.None && _users is not null && !_users.TryAdmit(interaction.UserId))
        {
            reason = EventRejectionReason.TooManyUsers;
        }

        if (reason == EventRejectionReason.None && _items is not null && !_items.TryAdmit(interaction.ItemId))
        {
            reason = EventRejectionReason.TooManyItems;
        }

        if (reason != EventRejectionReason.None)
        {
            return (Reject(reason), null);
        }

        TaskCompletionSource<SubmitResult>? acknowledged = _durableAcks ? new(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        var envelope = new Envelope(new WeightedEvent(interaction, weight, 0), acknowledged, Stopwatch.GetTimestamp());
        if (!_channel.Writer.TryWrite(envelope))
        {
            if (Volatile.Read(ref _stopped) != 0)
            {
                return (Reject(EventRejectionReason.Stopped), null);
            }

            if (_options.FullQueuePolicy == FullQueuePolicy.Reject)
            {
                return (Reject(EventRejectionReason.QueueFull), null);
            }

            try
            {
                await _channel.Writer.WriteAsync(envelope, cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                return (Reject(EventRejectionReason.Stopped), null);
            }
        }

        Interlocked.Increment(ref _accepted);
        Interlocked.Increment(ref _enqueued);
        _metrics.Accepted();
        return (SubmitResult.Ok, acknowledged?.Task);
    }

    private SubmitResult Reject(EventRejectionReason reason)
    {
        Interlocked.Increment(ref _rejected[(int)reason]);
        _metrics.Rejected(reason);
        return SubmitResult.Rejected(reason);
    }

    private void OnDropped(Envelope envelope)
    {
        Interlocked.Increment(ref _dropped);
        _metrics.Dropped();
        envelope.Acknowledged?.TrySetResult(SubmitResult.Rejected(EventRejectionReason.Dropped));
    }

    /// <summary>
    /// At the end of a consumer batch: counts every event taken so far plus every event dropped so far as done, and
    /// releases the flushes waiting for no more than that. Done events then form a prefix of the queue order: the
    /// consumer takes the oldest event, drop-oldest drops the oldest, and everything taken has been applied.
    /// </summary>
    private void Complete(long taken)
    {
        long completed = taken + Interlocked.Read(ref _dropped);
        Volatile.Write(ref _completed, completed);
        lock (_flushLock)
        {
            for (int f = _flushes.Count - 1; f >= 0; f--)
            {
                if (_flushes[f].Target <= completed)
                {
                    _flushes[f].Done.TrySetResult();
                    _flushes.RemoveAt(f);
                }
            }
        }
    }

    private async Task ConsumeAsync()
    {
        ChannelReader<Envelope> reader = _channel.Reader;
        var batch = new WeightedEvent[_options.MaxBatchSize];
        var acknowledgements = new TaskCompletionSource<SubmitResult>?[_options.MaxBatchSize];
        var submitted = new long[_options.MaxBatchSize];
        long taken = 0;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            int count = 0;
            while (count < batch.Length && reader.TryRead(out Envelope envelope))
            {
                // Sequences are given in queue order, which is the order of application (and of the log).
                acknowledgements[count] = envelope.Acknowledged;
                submitted[count] = envelope.Submitted;
                batch[count++] = envelope.Event with { Sequence = ++_sequence };
            }

            lock (_applyGate)
            {
                Apply(batch.AsSpan(0, count), acknowledgements.AsSpan(0, count), submitted);
            }

            taken += count;
            Complete(taken);
        }

        // Stopped: drops counted after the last batch release the flushes still waiting.
        Complete(taken);
    }

    /// <summary>
    /// Logs the micro-batch (write-ahead), applies it, then acknowledges its submissions. A batch that cannot be
    /// logged is not applied and its submissions fail with the error; a batch the applier fails on stays logged
    /// (acknowledged: it is durable) and is counted as failed.
    /// </summary>
    private void Apply(ReadOnlySpan<WeightedEvent> batch, Span<TaskCompletionSource<SubmitResult>?> acknowledgements, long[] submitted)
    {
        if (batch.IsEmpty)
        {
            return;
        }

        long start = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _batches);
        if (_log is not null)
        {
            try
            {
                _log.Append(batch);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Interlocked.Add(ref _failed, batch.Length);
                _metrics.Failed(batch.Length);
                Report(e);
                var error = new IOException("The event could not be written to the event log; it was not applied.", e);
                foreach (TaskCompletionSource<SubmitResult>? acknowledged in acknowledgements)
                {
                    acknowledged?.TrySetException(error);
                }

                acknowledgements.Clear();
                return;
            }
        }

        try
        {
            _applier.Apply(batch);
            Interlocked.Add(ref _applied, batch.Length);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Interlocked.Add(ref _failed, batch.Length);
            _metrics.Failed(batch.Length);
            Report(e);
        }

        long now = Stopwatch.GetTimestamp();
        _metrics.BatchApplied(start);
        for (int i = 0; i < batch.Length; i++)
        {
            _metrics.Visible(submitted[i], now);
        }

        foreach (TaskCompletionSource<SubmitResult>? acknowledged in acknowledgements)
        {
            acknowledged?.TrySetResult(SubmitResult.Ok);
        }

        acknowledgements.Clear();
    }

    /// <summary>Hands an applier or log failure to the error callback; a callback that throws cannot stop the consumer.</summary>
    private void Report(Exception error)
    {
        try
        {
            _onError?.Invoke(error);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The failure is counted either way; the callback's own failure has nowhere else to go.
        }
    }

    /// <summary>
    /// A queued event. <see cref="Acknowledged"/> is completed once the event is durable and applied, when
    /// submissions wait for that.
    /// </summary>
    private readonly record struct Envelope(WeightedEvent Event, TaskCompletionSource<SubmitResult>? Acknowledged, long Submitted);

    /// <summary>The results of a multi-event submission, in order, with the acknowledgements still awaited.</summary>
    private sealed class Tally
    {
        private readonly List<Rejection> _rejections = [];
        private readonly List<(long Position, Task<SubmitResult> Acknowledged)> _pending = [];
        private long _position;
        private long _accepted;

        public async ValueTask AddAsync((SubmitResult Result, Task<SubmitResult>? Acknowledged) entry, int bound, CancellationToken cancellationToken)
        {
            if (entry.Acknowledged is { } acknowledged)
            {
                _pending.Add((_position, acknowledged));
                if (_pending.Count >= bound)
                {
                    // Bound the memory of a long stream: settle what is pending.
                    await SettleAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                Record(_position, entry.Result);
            }

            _position++;
        }

        public async ValueTask<BatchSubmitResult> ResultAsync(CancellationToken cancellationToken)
        {
            await SettleAsync(cancellationToken).ConfigureAwait(false);
            _rejections.Sort((a, b) => a.Position.CompareTo(b.Position));
            return new BatchSubmitResult(_accepted, _rejections);
        }

        private async ValueTask SettleAsync(CancellationToken cancellationToken)
        {
            foreach ((long position, Task<SubmitResult> acknowledged) in _pending)
            {
                Record(position, await acknowledged.WaitAsync(cancellationToken).ConfigureAwait(false));
            }

            _pending.Clear();
        }

        private void Record(long position, SubmitResult result)
        {
            if (result.Accepted)
            {
                _accepted++;
            }
            else
            {
                _rejections.Add(new Rejection(position, result.Reason));
            }
        }
    }
}

/// <summary>A snapshot of the ingest counters.</summary>
/// <param name="Accepted">Events accepted into the queue.</param>
/// <param name="Applied">Events applied to model state.</param>
/// <param name="Dropped">Accepted events dropped by <see cref="FullQueuePolicy.DropOldest"/>.</param>
/// <param name="Failed">Accepted events whose micro-batch failed in the applier.</param>
/// <param name="Batches">Micro-batches applied or failed.</param>
/// <param name="QueueLength">Items queued now.</param>
/// <param name="RejectedByReason">Rejected submissions, indexed by <see cref="EventRejectionReason"/>.</param>
public sealed record IngestCounters(long Accepted, long Applied, long Dropped, long Failed, long Batches, int QueueLength, long[] RejectedByReason)
{
    /// <summary>All rejected submissions.</summary>
    public long Rejected => RejectedByReason.Sum();

    /// <summary>Rejected submissions for one reason.</summary>
    public long RejectedFor(EventRejectionReason reason) => RejectedByReason[(int)reason];
}
