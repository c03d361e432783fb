using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Persistence;

namespace RecEngine;

/// <summary>
/// Real-time recommendation in one object: it trains its models on the interactions it starts from, takes events
/// as they happen, applies them to every model in micro-batches, and serves recommendations that reflect them,
/// without readers ever waiting for ingestion.
/// </summary>
/// <remarks>
/// <para>
/// <b>Ingest</b>: <see cref="SubmitAsync(Interaction, CancellationToken)"/> checks an event (a rejected one gets a
/// typed <see cref="EventRejectionReason"/> and is never applied) and queues it under
/// <see cref="IngestOptions.FullQueuePolicy"/>. One consumer applies the queue in micro-batches, in submission
/// order, to every model. <see cref="FlushAsync"/> returns once everything submitted before it is visible
/// (read-your-writes).
/// </para>
/// <para>
/// <b>Serving</b>: <see cref="Recommender"/> and <see cref="GetRecommender"/> return <see cref="IRecommender"/>s
/// that always serve the model's latest published version; any number of threads may call them while events are
/// applied and while a retrain runs.
/// </para>
/// <para>
/// <b>Durability</b>: with <see cref="RecommendationEngineOptions.DataDirectory"/> set, every micro-batch is
/// appended to a checksummed event log before it is applied. With <see cref="FsyncPolicy.PerBatch"/> (the default)
/// a submission completes only once its event is on stable storage and applied: an acknowledged event survives a
/// crash. <see cref="SnapshotAsync"/> (or <see cref="RecommendationEngineOptions.SnapshotInterval"/>) writes the
/// engine's state to a checksummed snapshot file. On start the engine loads the newest readable snapshot and replays
/// the events logged after it; with no snapshot it trains on the starting interactions and replays the whole log,
/// so start from the same interactions each time. A torn last log record is cut off, never applied.
/// </para>
/// <para>
/// <b>Retraining</b>: <see cref="RetrainAsync"/> (or <see cref="RecommendationEngineOptions.RetrainInterval"/>)
/// trains a new instance of every model on all interactions so far in the background, re-applies the events that
/// arrived meanwhile, and swaps it in atomically.
/// </para>
/// <para>
/// <b>Telemetry</b>: instruments on the meter <see cref="RecEngineDiagnostics.MeterName"/>; log messages with event
/// ids 1000-1099.
/// </para>
/// <para>Dispose the engine to stop: it stops accepting events, applies everything queued and closes the log.</para>
/// </remarks>
public sealed class RecommendationEngine : IEventIngest, IAsyncDisposable, IDisposable
{
    private readonly EngineModels _models;
    private readonly Dictionary<string, EngineRecommender> _byName;
    private readonly EventLog? _log;
    private readonly DataDirectoryLock? _directoryLock;
    private readonly EventPipeline _pipeline;
    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _retrainDuration;
    private readonly ActivitySource _activities;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _retrainLoop;
    private readonly Task _snapshotLoop;
    private readonly string? _directory;
    private readonly int _snapshotsToKeep;
    private readonly SemaphoreSlim _snapshotGate = new(1, 1);
    private int _disposed;
    private int _reconciling;

    private RecommendationEngine(
        RecommendationEngineOptions options, EngineModels models, EventLog? log, DataDirectoryLock? directoryLock, long sequenceAfter, ILogger logger,
        Meter meter, bool ownsMeter, Histogram<double> retrainDuration, IMeterFactory? meterFactory, ActivitySource activities)
    {
        Options = options;
        _activities = activities;
        _models = models;
        _directoryLock = directoryLock;
        _directory = options.DataDirectory;
        _snapshotsToKeep = options.SnapshotsToKeep;
        _log = log;
        _logger = logger;
        _meter = meter;
        _ownsMeter = ownsMeter;
        _retrainDuration = retrainDuration;
        _byName = models.Recommenders.ToDictionary(r => r.Name, StringComparer.Ordinal);
        ModelNames = [.. models.Recommenders.Select(r => r.Name)];
        Recommender = _byName[options.DefaultModel ?? ModelNames[0]];
        _pipeline = new EventPipeline(options.Ingest, models, OnBatchFailed, log, meterFactory, sequenceAfter, models.KnownIds);
        TimeProvider clock = options.TimeProvider ?? TimeProvider.System;
        _retrainLoop = RunPeriodically(options.RetrainInterval, clock, RetrainAsync, e => EngineLog.RetrainFailed(_logger, e));
        _snapshotLoop = RunPeriodically(options.SnapshotInterval, clock, SnapshotAsync, e => EngineLog.SnapshotFailed(_logger, e));
    }

    /// <summary>The options the engine runs with (for an engine loaded without options, those its saved state configured).</summary>
    internal RecommendationEngineOptions Options { get; }

    /// <summary>The default model (<see cref="RecommendationEngineOptions.DefaultModel"/>, else the first).</summary>
    public IRecommender Recommender { get; }

    /// <summary>Whether <see cref="DisposeAsync"/> has begun.</summary>
    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>The directory of the engine's event log and snapshots (<see cref="RecommendationEngineOptions.DataDirectory"/>), or <see langword="null"/>.</summary>
    public string? DataDirectory => _directory;

    /// <summary>The names of the engine's models, in the order of the options.</summary>
    public IReadOnlyList<string> ModelNames { get; }

    /// <summary>A snapshot of the ingest counters (accepted, applied, rejected by reason, dropped, failed, queued).</summary>
    public IngestCounters Counters => _pipeline.Counters;

    /// <summary>
    /// Trains the configured models on <paramref name="start"/> (or on nothing), replays the event log when there is
    /// one, and starts taking events.
    /// </summary>
    /// <param name="options">The engine's options; validated.</param>
    /// <param name="start">The interactions to train on first (its id maps are copied, not changed); <see langword="null"/> to start empty.</param>
    /// <param name="logger">Receives the engine's log messages; <see langword="null"/> for none.</param>
    /// <param name="meterFactory">Creates the engine's meter (from the host's dependency injection); <see langword="null"/> for a meter the engine owns.</param>
    /// <param name="cancellationToken">Cancels training and replay; nothing is left running.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The options are invalid (the message names the option), or, with a data directory, an id of
    /// <paramref name="start"/> is not well-formed UTF-16 and could not be saved.
    /// </exception>
    /// <exception cref="InvalidDataException">The data directory holds a file that is not an event log, or one of a newer format version.</exception>
    /// <exception cref="IOException">The data directory is in use by another engine, or the event log cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">The data directory may not be written.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static Task<RecommendationEngine> StartAsync(
        RecommendationEngineOptions options, InteractionDataset? start = null, ILogger? logger = null, IMeterFactory? meterFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        start ??= new InteractionDatasetBuilder(options.Ingest.Weights).Build();
        if (options.DataDirectory is not null && (Unstorable(start.Users, "user") ?? Unstorable(start.Items, "item")) is { } problem)
        {
            throw new ArgumentException(problem, nameof(start));
        }

        return StartCoreAsync(options, start, loaded: null, logger ?? NullLogger.Instance, meterFactory, cancellationToken);
    }

    /// <summary>
    /// Starts an engine from the state another engine saved with <see cref="SaveAsync(Stream, CancellationToken)"/>:
    /// the same interactions, id maps, item attributes and model states, serving the same recommendations, with no
    /// training for the models whose saved state fits their configuration.
    /// </summary>
    /// <param name="source">The saved state, read from the stream's position; the stream is left open after it.</param>
    /// <param name="options">
    /// The engine's options; validated. They win over the configuration the state records, which is not read (see
    /// <see cref="LoadAsync(Stream, EngineLoadOptions?, ILogger?, IMeterFactory?, CancellationToken)"/> to use it). Each model of <see cref="RecommendationEngineOptions.Models"/> takes the saved
    /// state of the model of the same name when that state fits its configuration (the same kind and shape);
    /// otherwise it is trained on the saved interactions and a message says so (event id 1010). With a
    /// <see cref="RecommendationEngineOptions.DataDirectory"/>, the directory must hold no engine state yet: the
    /// loaded state is written into it as its first snapshot, and events are logged after it.
    /// </param>
    /// <param name="logger">Receives the engine's log messages; <see langword="null"/> for none.</param>
    /// <param name="meterFactory">Creates the engine's meter; <see langword="null"/> for a meter the engine owns.</param>
    /// <param name="cancellationToken">Cancels loading; nothing is left running.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid (the message names the option).</exception>
    /// <exception cref="InvalidDataException">
    /// The source is not a saved engine, is truncated or damaged, or is of another format version (the message says
    /// which). Nothing is started and no file is written.
    /// </exception>
    /// <exception cref="InvalidOperationException">The data directory already holds an engine's snapshots or logged events.</exception>
    /// <exception cref="IOException">The source cannot be read, or the data directory is in use or cannot be written.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static async Task<RecommendationEngine> LoadAsync(
        Stream source, RecommendationEngineOptions options, ILogger? logger = null, IMeterFactory? meterFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        EngineSnapshot loaded = await Task.Run(() => SnapshotFile.Read(source, "Saved engine"), cancellationToken).ConfigureAwait(false);
        return await StartCoreAsync(options, loaded.History, loaded, logger ?? NullLogger.Instance, meterFactory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts an engine from the state saved in <paramref name="path"/> by <see cref="SaveAsync(string, CancellationToken)"/>; see <see cref="LoadAsync(Stream, RecommendationEngineOptions, ILogger?, IMeterFactory?, CancellationToken)"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a saved engine, is damaged, or is of another format version (the message names the file).</exception>
    public static async Task<RecommendationEngine> LoadAsync(
        string path, RecommendationEngineOptions options, ILogger? logger = null, IMeterFactory? meterFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        EngineSnapshot loaded = await Task.Run(() => SnapshotFile.Read(path), cancellationToken).ConfigureAwait(false);
        return await StartCoreAsync(options, loaded.History, loaded, logger ?? NullLogger.Instance, meterFactory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts an engine from the state another engine saved with <see cref="SaveAsync(Stream, CancellationToken)"/>,
    /// configured as that engine was: the saved state records its models (names, kinds and options), its default model,
    /// its ingest options, its half-life and its retrain interval, and the engine is made of those again; the host gives
    /// only what is its own (<paramref name="host"/>, the logger and the meter). Otherwise as
    /// <see cref="LoadAsync(Stream, RecommendationEngineOptions, ILogger?, IMeterFactory?, CancellationToken)"/>, which
    /// takes full options instead (they win over the saved configuration, which it does not read).
    /// </summary>
    /// <param name="source">The saved state, read from the stream's position; the stream is left open after it.</param>
    /// <param name="host">The data directory, event log and snapshot settings; <see langword="null"/> for none (in memory only).</param>
    /// <param name="logger">Receives the engine's log messages; <see langword="null"/> for none.</param>
    /// <param name="meterFactory">Creates the engine's meter; <see langword="null"/> for a meter the engine owns.</param>
    /// <param name="cancellationToken">Cancels loading; nothing is left running.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="host"/> is invalid (the message names the option).</exception>
    /// <exception cref="InvalidDataException">
    /// The source is not a saved engine, is damaged, is of another format version, holds no configuration (format
    /// version 3: load it with full options), or holds a configuration that is malformed or invalid.
    /// </exception>
    /// <exception cref="NotSupportedException">
    /// A saved model was made by <see cref="EngineModel.Retrained"/> with a factory of the host's own, which cannot be
    /// made again from a file; the message names the model. Load with full options instead.
    /// </exception>
    /// <exception cref="InvalidOperationException">The data directory already holds an engine's snapshots or logged events.</exception>
    /// <exception cref="IOException">The source cannot be read, or the data directory is in use or cannot be written.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static async Task<RecommendationEngine> LoadAsync(
        Stream source, EngineLoadOptions? host = null, ILogger? logger = null, IMeterFactory? meterFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        const string name = "Saved engine";
        EngineSnapshot loaded = await Task.Run(() => SnapshotFile.Read(source, name), cancellationToken).ConfigureAwait(false);
        return await StartConfiguredAsync(loaded, name, host, logger, meterFactory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts an engine from the state saved in <paramref name="path"/>, configured as the engine that saved it was;
    /// see <see cref="LoadAsync(Stream, EngineLoadOptions?, ILogger?, IMeterFactory?, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a saved engine, is damaged, is of another format version or holds no usable configuration (the message names the file).</exception>
    /// <exception cref="NotSupportedException">A saved model has a factory of the host's own; the message names it.</exception>
    public static async Task<RecommendationEngine> LoadAsync(
        string path, EngineLoadOptions? host = null, ILogger? logger = null, IMeterFactory? meterFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        EngineSnapshot loaded = await Task.Run(() => SnapshotFile.Read(path), cancellationToken).ConfigureAwait(false);
        return await StartConfiguredAsync(loaded, $"Snapshot '{path}'", host, logger, meterFactory, cancellationToken).ConfigureAwait(false);
    }


    private static Task<RecommendationEngine> StartConfiguredAsync(
        EngineSnapshot loaded, string source, EngineLoadOptions? host, ILogger? logger, IMeterFactory? meterFactory, CancellationToken cancellationToken)
    {
        byte[] configuration = loaded.Configuration
            ?? throw new InvalidDataException($"{source} holds no configuration (it was saved in format version {SnapshotFile.OldestFormatVersion}, or with names that could not be written): load it with RecommendationEngineOptions.");
        host ??= new EngineLoadOptions();
        RecommendationEngineOptions options = EngineConfiguration.Decode(configuration, source, host);
        options.Validate();
        return StartCoreAsync(options, loaded.History, loaded, logger ?? NullLogger.Instance, meterFactory, cancellationToken);
    }

    private static async Task<RecommendationEngine> StartCoreAsync(
        RecommendationEngineOptions options, InteractionDataset start, EngineSnapshot? loaded, ILogger logger, IMeterFactory? meterFactory, CancellationToken cancellationToken)
    {
        Meter meter = meterFactory?.Create(RecEngineDiagnostics.MeterName) ?? new Meter(RecEngineDiagnostics.MeterName);
        var activities = new ActivitySource(RecEngineDiagnostics.ActivitySourceName);
        var telemetry = new EngineTelemetry(
            meter.CreateHistogram<double>("recengine.recommend.duration", "ms", "Time of one top-N recommendation of an engine's model."), activities);
        Histogram<double> retrainDuration = meter.CreateHistogram<double>("recengine.retrain.duration", "s", "Time of one retrain of every model, from the call to the swap.");
        EventLog? log = null;
        DataDirectoryLock? directoryLock = null;
        try
        {
            if (options.DataDirectory is { } directory)
            {
                directoryLock = DataDirectoryLock.Acquire(directory);
            }

            using Activity? starting = activities.StartActivity("recengine.start");
            starting?.SetTag("recengine.loaded", loaded is not null);
            (EngineModels models, log, long snapshotSequence, long replayed) = await Task.Run(
                () => Prepare(options, start, loaded, telemetry, logger, cancellationToken), cancellationToken).ConfigureAwait(false);
            starting?.SetTag("recengine.interactions", models.HistoryCount);
            starting?.SetTag("recengine.replayed", replayed);
            models.Configuration = EngineConfiguration.Encode(options);
            var engine = new RecommendationEngine(options, models, log, directoryLock, snapshotSequence, logger, meter, meterFactory is null, retrainDuration, meterFactory, activities);
            EngineLog.Started(logger, engine.ModelNames, models.HistoryCount, snapshotSequence, replayed);
            engine.ReconcileIfDiverged();
            return engine;
        }
        catch
        {
            log?.Dispose();
            directoryLock?.Dispose();
            activities.Dispose();
            if (meterFactory is null)
            {
                meter.Dispose();
            }

            throw;
        }
    }

    /// <summary>The engine's model named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No model has that name; the message lists the names.</exception>
    public IRecommender GetRecommender(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out EngineRecommender? recommender)
            ? recommender
            : throw new ArgumentException($"The engine has no model named '{name}'; its models are {string.Join(", ", ModelNames)}.", nameof(name));
    }

    /// <summary>
    /// Checks one event and queues it. Completes when it is queued, or, with a <see cref="FsyncPolicy.PerBatch"/>
    /// event log, once it is on stable storage and applied (acknowledged).
    /// </summary>
    /// <returns>Accepted, or rejected with the reason (invalid event, full queue under <see cref="FullQueuePolicy.Reject"/>, engine stopping).</returns>
    /// <exception cref="OperationCanceledException">Cancelled while waiting for room (the event is not queued) or for acknowledgement (it stays queued).</exception>
    /// <exception cref="IOException">With an event log: the event could not be logged, and was not applied.</exception>
    public ValueTask<SubmitResult> SubmitAsync(Interaction interaction, CancellationToken cancellationToken = default) =>
        _pipeline.SubmitAsync(interaction, cancellationToken);

    /// <summary>Submits events one after the other, in order; with a per-batch event log, completes once every accepted one is acknowledged.</summary>
    /// <returns>How many were accepted, and the position and reason of each rejected one.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="interactions"/> is null.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; events before the cancellation stay submitted.</exception>
    /// <exception cref="IOException">With an event log: a micro-batch could not be logged; its events were not applied, and the rest of the sequence was not submitted.</exception>
    public ValueTask<BatchSubmitResult> SubmitAsync(IEnumerable<Interaction> interactions, CancellationToken cancellationToken = default) =>
        _pipeline.SubmitAsync(interactions, cancellationToken);

    /// <summary>Submits a stream of events in order as they arrive; with a per-batch event log, completes once every accepted one is acknowledged.</summary>
    /// <returns>How many were accepted, and the position and reason of each rejected one.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="interactions"/> is null.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; events before the cancellation stay submitted.</exception>
    /// <exception cref="IOException">With an event log: a micro-batch could not be logged; its events were not applied, and the rest of the stream was not submitted.</exception>
    public ValueTask<BatchSubmitResult> SubmitAsync(IAsyncEnumerable<Interaction> interactions, CancellationToken cancellationToken = default) =>
        _pipeline.SubmitAsync(interactions, cancellationToken);

    /// <summary>Completes when every event submitted before the call is applied (or was dropped or failed): after it, every recommender reflects them.</summary>
    /// <exception cref="OperationCanceledException">Cancelled while waiting; the events are still applied.</exception>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _pipeline.FlushAsync(cancellationToken);

    /// <summary>
    /// Retrains every model from scratch on all interactions so far, in the background, then swaps the new instances
    /// in atomically after re-applying the events that arrived meanwhile. Serving and ingestion go on throughout. A
    /// retrain already running is waited for first.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled; the current models stay.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public async Task<RetrainResult> RetrainAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        using Activity? activity = _activities.StartActivity("recengine.retrain");
        long started = Stopwatch.GetTimestamp();
        string outcome = "failed";
        try
        {
            (int trained, int reapplied) = await _models.Retrain(linked.Token).ConfigureAwait(false);
            outcome = "completed";
            var result = new RetrainResult(trained, reapplied, Stopwatch.GetElapsedTime(started));
            EngineLog.Retrained(_logger, trained, result.Duration.TotalSeconds, reapplied);
            await SnapshotAfterRetrainAsync(linked.Token).ConfigureAwait(false);
            return result;
        }
        catch (OperationCanceledException)
        {
            outcome = "cancelled";
            throw;
        }
        finally
        {
            _retrainDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
            activity?.SetTag("recengine.outcome", outcome);
        }
    }

    /// <summary>Erases one user; see <see cref="ForgetUsersAsync"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="userId"/> is null or empty.</exception>
    public Task<ErasureResult> ForgetUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return ForgetUsersAsync([userId], cancellationToken);
    }

    /// <summary>
    /// Erases users completely (the right to erasure): every interaction of theirs, their ids, and everything each
    /// model derived from them (factors, profiles, their share of item statistics, neighbour lists and popularity),
    /// in memory and, with a <see cref="RecommendationEngineOptions.DataDirectory"/>, on disk. When the returned task
    /// completes, the engine serves and saves as if the users had never been seen: other users get the
    /// recommendations of an engine trained on the same interactions without them.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Every event submitted before the call is applied first, then erased with the rest. The users' interactions
    /// leave the history, and every model is retrained on what remains and swapped in atomically (an exact rebuild,
    /// not an approximate unlearning: matrix factorisation spreads a user over every item's factors). Ingestion and
    /// serving go on meanwhile, and the old models answer until the swap; erase many users in one call to retrain once.
    /// </para>
    /// <para>
    /// On disk the event log is rewritten without the users' events, a snapshot of the erased state is written, and
    /// every other snapshot (older ones, set-aside unreadable ones, ones of another format version) is deleted; ingestion
    /// waits while that runs. The erasure is complete only when the task completes: after a failure or a crash, call it
    /// again (erasing users the engine no longer knows still cleans the files). Interactions the host starts the engine
    /// from (<see cref="StartAsync"/>) are the host's to erase, and a file system may keep deleted blocks until they are
    /// reused.
    /// </para>
    /// <para>An event of an erased user submitted after the call brings them back as a new user.</para>
    /// </remarks>
    /// <param name="userIds">The users' ids; ids the engine does not know are allowed (nothing to remove in memory).</param>
    /// <param name="cancellationToken">Cancels waiting for earlier events or a running retrain; once users are removed, the erasure runs to its end.</param>
    /// <returns>What was erased.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="userIds"/> is null.</exception>
    /// <exception cref="ArgumentException">An id is null or empty; the message gives its position. Nothing was erased.</exception>
    /// <exception cref="IOException">The event log or a snapshot could not be rewritten or deleted; the users are gone from memory, call again to finish the files.</exception>
    /// <exception cref="OperationCanceledException">Cancelled before anything was erased.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public async Task<ErasureResult> ForgetUsersAsync(IEnumerable<string> userIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        int position = 0;
        foreach (string? id in userIds)
        {
            if (string.IsNullOrEmpty(id))
            {
                throw new ArgumentException($"The user id at position {position} is null or empty.", nameof(userIds));
            }

            ids.Add(id);
            position++;
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        using Activity? activity = _activities.StartActivity("recengine.forget");
        long started = Stopwatch.GetTimestamp();
        await _pipeline.FlushAsync(linked.Token).ConfigureAwait(false);
        int users, interactions;
        long through;
        try
        {
            (users, interactions, through) = await _models.Forget(ids, linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A failed retrain leaves models that still hold the users: retry in the background.
            ReconcileIfDiverged();
            throw;
        }

        _pipeline.ReleaseUsers(ids.Where(id => !_models.KnowsUser(id)));
        (long logRecords, int filesDeleted) = _directory is null ? (0L, 0) : await EraseFromDiskAsync(ids, through).ConfigureAwait(false);
        var result = new ErasureResult(users, interactions, logRecords, filesDeleted, Stopwatch.GetElapsedTime(started));
        activity?.SetTag("recengine.users", users);
        activity?.SetTag("recengine.interactions", interactions);
        EngineLog.Erased(_logger, ids.Count, users, interactions, logRecords, filesDeleted);
        return result;
    }

    /// <summary>
    /// Between two micro-batches: writes a snapshot of the erased state, rewrites the log without the users' events up
    /// to <paramref name="through"/>, and deletes every other snapshot. Not cancelled: a half-cleaned directory would
    /// need another call.
    /// </summary>
    private async Task<(long LogRecords, int FilesDeleted)> EraseFromDiskAsync(HashSet<string> ids, long through)
    {
        string directory = _directory!;
        await _snapshotGate.WaitAsync().ConfigureAwait(false);
        try
        {
            return await Task.Run(() => _pipeline.Exclusive(() =>
            {
                // The snapshot first: should the process die before the log is rewritten, the next start loads it and
                // skips the logged events it covers, so the users do not come back.
                (string path, _) = SnapshotFile.Write(directory, _models.Capture());
                long removed = _log!.Rewrite(e => e.Sequence <= through && ids.Contains(e.Event.UserId));
                int deleted = SnapshotFile.DeleteAllBut(directory, path);
                return (removed, deleted);
            })).ConfigureAwait(false);
        }
        finally
        {
            _snapshotGate.Release();
        }
    }

    private void OnBatchFailed(Exception error)
    {
        EngineLog.BatchFailed(_logger, error);
        ReconcileIfDiverged();
    }

    /// <summary>
    /// After a failed micro-batch, the models that took it and the history (which left it out) disagree: one
    /// background retrain at a time brings them back in line.
    /// </summary>
    private void ReconcileIfDiverged()
    {
        if (!_models.Diverged || _stopping.IsCancellationRequested || Interlocked.CompareExchange(ref _reconciling, 1, 0) != 0)
        {
            return;
        }

        EngineLog.Reconciling(_logger);
        _ = Task.Run(async () =>
        {
            try
            {
                await RetrainAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                // Stopping.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                EngineLog.RetrainFailed(_logger, e);
            }
            finally
            {
                Volatile.Write(ref _reconciling, 0);
            }
        });
    }

    /// <summary>
    /// With a data directory, a snapshot right after a retrain: otherwise a restart would replay the log over the
    /// models of before the retrain. A failure is logged; the retrain stands.
    /// </summary>
    private async Task SnapshotAfterRetrainAsync(CancellationToken cancellationToken)
    {
        if (_directory is null || _stopping.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await SnapshotAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or OperationCanceledException or ObjectDisposedException)
        {
            EngineLog.SnapshotFailed(_logger, e);
        }
    }

    /// <summary>
    /// Writes a snapshot of the engine's state (every interaction with the id maps and item attributes, and each
    /// model's state) into the data directory, atomically, then deletes all but the newest
    /// <see cref="RecommendationEngineOptions.SnapshotsToKeep"/>. Ingestion waits only while the state is copied in
    /// memory; serving never waits. The next start loads it and replays only the events logged after it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The engine has no <see cref="RecommendationEngineOptions.DataDirectory"/>.</exception>
    /// <exception cref="IOException">The snapshot could not be written; the previous ones and the event log are untouched.</exception>
    /// <exception cref="OperationCanceledException">Cancelled before the state was copied.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public async Task<SnapshotResult> SnapshotAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        string directory = _directory ?? throw new InvalidOperationException("The engine has no DataDirectory to write snapshots into.");
        string written = "";
        SaveResult saved = await SaveCoreAsync(
            snapshot =>
            {
                (string path, long bytes) = SnapshotFile.Write(directory, snapshot);
                try
                {
                    SnapshotFile.Prune(directory, _snapshotsToKeep, path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The snapshot is written; old ones are removed next time.
                    EngineLog.PruneFailed(_logger, e);
                }

                written = path;
                return bytes;
            },
            cancellationToken).ConfigureAwait(false);
        EngineLog.SnapshotWritten(_logger, saved.Sequence, saved.Interactions, saved.Bytes, saved.Duration.TotalSeconds);
        return new SnapshotResult(saved.Sequence, saved.Interactions, written, saved.Bytes, saved.Duration);
    }

    /// <summary>
    /// Saves the engine's whole state (every interaction with the id maps and item attributes, each model's state, and
    /// how the last training aged its weights) at the stream's position, in the snapshot format: magic <c>RSNP</c>,
    /// format version, length, body and CRC-32C. <see cref="LoadAsync(Stream, RecommendationEngineOptions, ILogger?, IMeterFactory?, CancellationToken)"/>
    /// starts an engine from it. Ingestion waits only while the state is copied in memory; serving never waits.
    /// </summary>
    /// <param name="destination">A writable stream; left open after the state.</param>
    /// <param name="cancellationToken">Cancels before the state is copied.</param>
    /// <returns>What was saved.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is null.</exception>
    /// <exception cref="IOException">The stream cannot be written.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public Task<SaveResult> SaveAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return SaveCoreAsync(snapshot => SnapshotFile.Write(destination, snapshot), cancellationToken);
    }

    /// <summary>
    /// Saves the engine's whole state to <paramref name="path"/> atomically (a temporary file beside it, forced to
    /// storage, then renamed over it): the path holds the old file or the complete new one. See
    /// <see cref="SaveAsync(Stream, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="IOException">The file cannot be written; any earlier file at the path is left as it was.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been disposed.</exception>
    public Task<SaveResult> SaveAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return SaveCoreAsync(snapshot => StateFrame.WriteFile(path, file => SnapshotFile.Write(file, snapshot)), cancellationToken);
    }

    /// <summary>Copies the state under the snapshot gate (one save at a time) and writes it with <paramref name="write"/>, which returns the bytes written.</summary>
    private async Task<SaveResult> SaveCoreAsync(Func<EngineSnapshot, long> write, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        await _snapshotGate.WaitAsync(linked.Token).ConfigureAwait(false);
        try
        {
            return await Task.Run(
                () =>
                {
                    using Activity? activity = _activities.StartActivity("recengine.save");
                    long started = Stopwatch.GetTimestamp();
                    EngineSnapshot snapshot = _models.Capture();
                    long bytes = write(snapshot);
                    activity?.SetTag("recengine.interactions", snapshot.History.Count);
                    activity?.SetTag("recengine.bytes", bytes);
                    return new SaveResult(snapshot.Sequence, snapshot.History.Count, bytes, Stopwatch.GetElapsedTime(started));
                },
                linked.Token).ConfigureAwait(false);
        }
        finally
        {
            _snapshotGate.Release();
        }
    }

    /// <summary>Stops the engine as <see cref="DisposeAsync"/> does, blocking the caller until it has stopped.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Stops accepting events, applies everything queued, stops retraining and snapshots, and closes the event log.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _pipeline.DisposeAsync().ConfigureAwait(false);
        await _retrainLoop.ConfigureAwait(false);
        await _snapshotLoop.ConfigureAwait(false);

        // Calls in flight see the cancellation; wait for them to finish, and keep later ones out.
        await _models.StopRetrainingAsync().ConfigureAwait(false);
        await _snapshotGate.WaitAsync().ConfigureAwait(false);

        IngestCounters counters = _pipeline.Counters;
        EngineLog.Stopped(_logger, counters.Applied, counters.Rejected, counters.Dropped, counters.Failed);
        _log?.Dispose();
        _directoryLock?.Dispose();
        _models.Dispose();
        _snapshotGate.Dispose();
        _stopping.Dispose();
        _activities.Dispose();
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    /// <summary>
    /// Why an id of <paramref name="ids"/> could not be stored in a snapshot (an unpaired surrogate has no UTF-8 form;
    /// events with such ids are rejected on submission), or null.
    /// </summary>
    private static string? Unstorable(IdMap ids, string what)
    {
        for (int index = 0; index < ids.Count; index++)
        {
            if (!IngestOptions.WellFormed(ids.GetId(index)))
            {
                return $"The starting {what} id at index {index} is not well-formed UTF-16 (an unpaired surrogate), so it cannot be saved.";
            }
        }

        return null;
    }

    /// <summary>
    /// The models to start with: restored from the newest readable snapshot, else trained on
    /// <paramref name="start"/>; then the events the log holds after them, replayed in the micro-batches they were
    /// first applied in.
    /// </summary>
    private static (EngineModels Models, EventLog? Log, long SnapshotSequence, long Replayed) Prepare(
        RecommendationEngineOptions options, InteractionDataset start, EngineSnapshot? loaded, EngineTelemetry telemetry, ILogger logger,
        CancellationToken cancellationToken)
    {
        int batchSize = options.Ingest.MaxBatchSize;
        if (loaded is not null)
        {
            return PrepareLoaded(options, loaded, telemetry, logger, cancellationToken);
        }

        if (options.DataDirectory is not { } directory)
        {
            return (EngineModels.Train(options.Models, start, batchSize, options.HalfLife, telemetry, cancellationToken), null, 0, 0);
        }

        EngineSnapshot? snapshot = null;
        foreach ((_, string path) in SnapshotFile.List(directory))
        {
            try
            {
                snapshot = SnapshotFile.Read(path);
                break;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                // A damaged file is set aside for good; one that could not be read now, or is of another format
                // version, stays where it is for a later start or another version.
                string aside = path;
                if (e is InvalidDataException && !SnapshotFile.IsOtherVersion(e))
                {
                    try
                    {
                        aside = SnapshotFile.SetAside(path);
                    }
                    catch (Exception renaming) when (renaming is IOException or UnauthorizedAccessException)
                    {
                        // Left in place; it is tried (and refused) again next time.
                    }
                }

                EngineLog.SnapshotUnreadable(logger, path, aside, e);
            }
        }

        EngineModels models = snapshot is null
            ? EngineModels.Train(options.Models, start, batchSize, options.HalfLife, telemetry, cancellationToken)
            : EngineModels.Restore(options.Models, snapshot, batchSize, options.HalfLife, telemetry, (model, kind) => EngineLog.StateDoesNotFit(logger, model, kind), cancellationToken);
        long after = snapshot?.Sequence ?? 0;
        long replayed = 0;
        void Replay(ReadOnlySpan<WeightedEvent> batch)
        {
            // The batches the models applied before, so they reach the state they had; the snapshot covers a prefix.
            int skip = 0;
            while (skip < batch.Length && batch[skip].Sequence <= after)
            {
                skip++;
            }

            if (skip < batch.Length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    models.Apply(batch[skip..]);
                }
                catch (AggregateException e)
                {
                    // As when it was first applied: the batch fails, the engine goes on.
                    EngineLog.BatchFailed(logger, e);
                }

                replayed += batch.Length - skip;
            }
        }

        EventLog log = EventLog.Open(directory, options.EventLog, Replay, out LogRecovery recovery);
        if (recovery.DiscardedBytes > 0)
        {
            EngineLog.LogTailCut(logger, recovery.DiscardedBytes, recovery.Records, recovery.Problem);
        }

        return (models, log, after, replayed);
    }

    /// <summary>
    /// The models of a loaded state; with a data directory (which must hold no state yet), the state becomes its first
    /// snapshot and the log starts empty after it.
    /// </summary>
    private static (EngineModels Models, EventLog? Log, long SnapshotSequence, long Replayed) PrepareLoaded(
        RecommendationEngineOptions options, EngineSnapshot loaded, EngineTelemetry telemetry, ILogger logger, CancellationToken cancellationToken)
    {
        string? directory = options.DataDirectory;
        string? logPath = directory is null ? null : Path.Combine(directory, EventLog.FileName);
        if (directory is not null && (SnapshotFile.List(directory).Count > 0 || (File.Exists(logPath) && new FileInfo(logPath!).Length > 0)))
        {
            throw new InvalidOperationException(
                $"The data directory '{directory}' already holds an engine's state; load into an empty directory, or start from that state with StartAsync.");
        }

        EngineModels models = EngineModels.Restore(
            options.Models, loaded, options.Ingest.MaxBatchSize, options.HalfLife, telemetry, (model, kind) => EngineLog.StateDoesNotFit(logger, model, kind), cancellationToken);
        if (directory is null)
        {
            return (models, null, loaded.Sequence, 0);
        }

        EventLog? log = null;
        try
        {
            // The log first: if it cannot be opened, no snapshot is left behind to make the directory look taken.
            log = EventLog.Open(directory, options.EventLog, replay: null, out _);
            // The first snapshot records the configuration the engine now runs with.
            SnapshotFile.Write(directory, loaded with { Configuration = EngineConfiguration.Encode(options) });
            return (models, log, loaded.Sequence, 0);
        }
        catch
        {
            log?.Dispose();
            models.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> every <paramref name="interval"/> of <paramref name="clock"/> until the engine
    /// stops; a failure is reported and the schedule goes on.
    /// </summary>
    private async Task RunPeriodically<T>(TimeSpan? interval, TimeProvider clock, Func<CancellationToken, Task<T>> action, Action<Exception> report)
    {
        if (interval is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval.Value, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    await action(_stopping.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    if (_stopping.IsCancellationRequested)
                    {
                        return;
                    }

                    report(e);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping ends the schedule and cancels a run in flight; what it would have replaced stays.
        }
    }
}

/// <summary>What a retrain did.</summary>
/// <param name="Trained">Interactions the new models were trained on.</param>
/// <param name="Reapplied">Events that arrived during training and were applied to the new models before the swap.</param>
/// <param name="Duration">Time from the call to the swap, including any wait for a retrain already running.</param>
public sealed record RetrainResult(int Trained, int Reapplied, TimeSpan Duration);

/// <summary>What <see cref="RecommendationEngine.ForgetUsersAsync"/> erased.</summary>
/// <param name="Users">Users the engine knew among those asked for (the others had nothing to erase in memory).</param>
/// <param name="Interactions">Their interactions removed from the engine's history.</param>
/// <param name="LogRecords">Their events removed from the event log (0 without a data directory).</param>
/// <param name="FilesDeleted">Snapshot files deleted because they held an earlier state.</param>
/// <param name="Duration">Time from the call to the end of the erasure.</param>
public sealed record ErasureResult(int Users, int Interactions, long LogRecords, int FilesDeleted, TimeSpan Duration);

/// <summary>What a snapshot wrote.</summary>
/// <param name="Sequence">The sequence of the last event the snapshot includes.</param>
/// <param name="Interactions">Interactions saved: the starting ones and every applied event.</param>
/// <param name="Path">The snapshot file.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Duration">Time to copy the state and write the file.</param>
public sealed record SnapshotResult(long Sequence, int Interactions, string Path, long Bytes, TimeSpan Duration);

/// <summary>What <see cref="RecommendationEngine.SaveAsync(Stream, CancellationToken)"/> saved.</summary>
/// <param name="Sequence">The sequence of the last event the saved state includes.</param>
/// <param name="Interactions">Interactions saved: the starting ones and every applied event.</param>
/// <param name="Bytes">Bytes written.</param>
/// <param name="Duration">Time to copy the state and write it.</param>
public sealed record SaveResult(long Sequence, int Interactions, long Bytes, TimeSpan Duration);
