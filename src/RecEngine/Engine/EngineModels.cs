using System.Diagnostics.Metrics;
using System.Runtime.ExceptionServices;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Persistence;

namespace RecEngine;

/// <summary>
/// The engine's models and its history, behind the ingest pipeline: each micro-batch is added to the history and
/// applied to every model. <see cref="Retrain"/> trains a fresh set on the history in the background and swaps it
/// in atomically once it has caught up with the events that arrived meanwhile.
/// </summary>
/// <remarks>
/// <para>
/// <b>Retrain</b>: take a dataset of the history (position p); train a new instance of every model on it; apply the
/// history from p on to the new instances in micro-batches, without holding up ingestion, until less than one batch
/// is left; then, holding the apply lock (ingestion waits for at most that batch), apply the rest and point every
/// <see cref="EngineRecommender"/> at its new instance. Readers never wait: they see the old instance or the new
/// one. A failed or cancelled retrain changes nothing.
/// </para>
/// <para>Thread safety: <see cref="Apply"/> is called by the pipeline's consumer; one retrain runs at a time.</para>
/// </remarks>
internal sealed class EngineModels : IEventApplier, IDisposable
{
    private readonly EngineModel[] _specs;
    private readonly EngineRecommender[] _recommenders;
    private readonly EventHistory _history;
    private readonly int _batchSize;
    private readonly TimeSpan? _halfLife;
    private readonly Lock _applyLock = new();
    private readonly SemaphoreSlim _retrainGate = new(1, 1);
    private ILiveModel[] _live;
    private TrainingDecay? _decay;
    private long _lastSequence;
    private volatile bool _diverged;

    private EngineModels(
        EngineModel[] specs, ILiveModel[] live, EventHistory history, long lastSequence, int batchSize, TimeSpan? halfLife, TrainingDecay? decay,
        EngineTelemetry telemetry)
    {
        _specs = specs;
        _halfLife = halfLife;
        _decay = decay;
        _lastSequence = lastSequence;
        _live = live;
        _history = history;
        _batchSize = batchSize;
        _recommenders = new EngineRecommender[specs.Length];
        for (int m = 0; m < specs.Length; m++)
        {
            _recommenders[m] = new EngineRecommender(specs[m].Name, live[m].Recommender, telemetry);
        }
    }

    /// <summary>The engine's configuration (<see cref="EngineConfiguration"/>), saved with every captured state.</summary>
    public byte[]? Configuration { get; set; }

    /// <summary>What each model serves, in the order of the options.</summary>
    public IReadOnlyList<EngineRecommender> Recommenders => _recommenders;

    /// <summary>Interactions the models have seen: the starting ones and every applied event.</summary>
    public int HistoryCount => _history.Count;

    /// <summary>
    /// Whether a micro-batch failed since the last training: the models that took it and the history (which left it
    /// out) disagree until a retrain.
    /// </summary>
    public bool Diverged => _diverged;

    /// <summary>Trains every model on <paramref name="start"/>, its weights aged by <paramref name="halfLife"/> when there is one.</summary>
    public static EngineModels Train(
        IEnumerable<EngineModel> specs, InteractionDataset start, int batchSize, TimeSpan? halfLife, EngineTelemetry telemetry, CancellationToken cancellationToken)
    {
        var history = new EventHistory(start);
        EngineModel[] models = [.. specs];
        (InteractionDataset aged, TrainingDecay? decay) = TrainingDecay.Age(start, halfLife, DateTimeOffset.UtcNow);
        ILiveModel[] live = StartAll(models, aged, cancellationToken);
        return new EngineModels(models, live, history, 0, batchSize, halfLife, decay, telemetry);
    }

    /// <summary>Restores every model as <paramref name="snapshot"/> saved it (see <see cref="EngineModel.Restore"/>).</summary>
    /// <param name="specs">The models.</param>
    /// <param name="snapshot">The saved state.</param>
    /// <param name="batchSize">Events per catch-up batch of a retrain.</param>
    /// <param name="halfLife">The half-life for later trainings.</param>
    /// <param name="telemetry">What the recommenders report through.</param>
    /// <param name="unfit">Told the name and state kind of a model whose saved state does not fit, which is trained afresh.</param>
    /// <param name="cancellationToken">Cancels the restore.</param>
    public static EngineModels Restore(
        IEnumerable<EngineModel> specs, EngineSnapshot snapshot, int batchSize, TimeSpan? halfLife, EngineTelemetry telemetry,
        Action<string, string> unfit, CancellationToken cancellationToken)
    {
        var history = new EventHistory(snapshot.History);
        EngineModel[] models = [.. specs];

        // The models saw the weights of their last training aged as it recorded (whatever the options say now; a new
        // half-life applies from the next retrain), and the events since as they came.
        TrainingDecay? decay = snapshot.Decay;
        InteractionDataset seen = decay is { } aged ? aged.ApplyTo(snapshot.History) : snapshot.History;
        // The built-in models restore from their own states and the same read-only history and share nothing else,
        // so they restore side by side: a load then takes about as long as its slowest model (item-kNN reading its pair
        // statistics) rather than their sum. Retrained models run the host's factory and Fit, which need not be
        // thread-safe: they restore one after another, after the others.
        var live = new ILiveModel[models.Length];
        var errors = new Exception?[models.Length];
        void RestoreOne(int m)
        {
            string name = models[m].Name;
            try
            {
                live[m] = models[m].Restore(seen, snapshot.Models.GetValueOrDefault(name), kind => unfit(name, kind), cancellationToken);
            }
            catch (Exception e)
            {
                errors[m] = e;
            }
        }

        ILookup<bool, int> retrained = Enumerable.Range(0, models.Length).ToLookup(m => models[m].Kind == EngineModel.Kinds.Retrained);
        Parallel.ForEach(retrained[false], new ParallelOptions { CancellationToken = cancellationToken }, RestoreOne);
        foreach (int m in retrained[true])
        {
            if (errors.Any(e => e is not null))
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            RestoreOne(m);
        }

        // The caller sees what the first model in the configured order threw, as from a sequential restore.
        if (errors.FirstOrDefault(e => e is not null) is { } error)
        {
            ExceptionDispatchInfo.Capture(error).Throw();
        }

        return new EngineModels(models, live, history, snapshot.Sequence, batchSize, halfLife, decay, telemetry);
    }

    /// <summary>
    /// The state of every model and the history after the last applied event, taken between two micro-batches
    /// (ingestion waits for the copy of the id maps and of each model's saved state; the history's rows are copied
    /// afterwards, while ingestion goes on).
    /// </summary>
    public EngineSnapshot Capture()
    {
        EventHistory.Frozen history;
        var states = new Dictionary<string, SavedState>(StringComparer.Ordinal);
        long sequence;
        TrainingDecay? decay;
        lock (_applyLock)
        {
            history = _history.Freeze();
            for (int m = 0; m < _live.Length; m++)
            {
                if (_live[m].CaptureState() is { } state)
                {
                    states.Add(_specs[m].Name, state);
                }
            }

            (sequence, decay) = (_lastSequence, _decay);
        }

        return new EngineSnapshot(sequence, history.ToDataset(), states, decay, Configuration);
    }

    /// <summary>
    /// Applies the batch to every model, then adds it to the history. One model's failure does not keep the batch from
    /// the others, but a batch some model failed on stays out of the history, so retrains and snapshots never meet it
    /// again (the models that took it keep it until the next retrain).
    /// </summary>
    /// <exception cref="AggregateException">One or more models failed on the batch.</exception>
    public void Apply(ReadOnlySpan<WeightedEvent> batch)
    {
        lock (_applyLock)
        {
            if (!batch.IsEmpty)
            {
                _lastSequence = batch[^1].Sequence;
            }

            try
            {
                ApplyAll(_live, batch);
            }
            catch (AggregateException)
            {
                _diverged = true;
                throw;
            }

            _history.Append(batch);
        }
    }

    /// <summary>
    /// Retrains every model on the whole history and swaps the new instances in; see the remarks of the class.
    /// Waits for a retrain already running to finish first.
    /// </summary>
    /// <returns>The number of interactions trained on, and how many arrived during training and were re-applied.</returns>
    /// <exception cref="OperationCanceledException">Cancelled; the current models stay.</exception>
    public async Task<(int Trained, int Reapplied)> Retrain(CancellationToken cancellationToken)
    {
        await _retrainGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => RetrainNow(cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _retrainGate.Release();
        }
    }

    /// <summary>
    /// Erases users: removes their interactions and ids from the history, then retrains every model on what remains
    /// and swaps the new instances in, as <see cref="Retrain"/> does (the events that arrive meanwhile are re-applied,
    /// a later event of an erased user brings them back as a new user). Waits for a retrain already running first;
    /// once the history has let the users go, the retrain is not cancelled, so the models never keep them for longer
    /// than it takes.
    /// </summary>
    /// <returns>
    /// How many of the users the history knew, how many interactions were removed, and the sequence of the last event
    /// applied before the removal: every event of theirs up to it is gone.
    /// </returns>
    /// <exception cref="OperationCanceledException">Cancelled while waiting for a running retrain; nothing was erased.</exception>
    public async Task<(int Users, int Interactions, long Through)> Forget(IReadOnlySet<string> userIds, CancellationToken cancellationToken)
    {
        await _retrainGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(
                () =>
                {
                    int users, interactions;
                    long through;
                    lock (_applyLock)
                    {
                        (users, interactions) = _history.Remove(userIds);
                        through = _lastSequence;

                        // Until the swap the live models still hold the users: should the retrain fail, the engine
                        // knows its models and its history disagree and retrains again.
                        _diverged |= users > 0;
                    }

                    if (users > 0)
                    {
                        RetrainNow(CancellationToken.None);
                    }

                    return (users, interactions, through);
                },
                CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _retrainGate.Release();
        }
    }

    /// <summary>Whether the history holds an interaction of the user.</summary>
    public bool KnowsUser(string userId) => _history.KnowsUser(userId);

    /// <summary>The user and item ids the history knows.</summary>
    public (IReadOnlyList<string> Users, IReadOnlyList<string> Items) KnownIds() => _history.KnownIds();

    /// <summary>
    /// Waits for a retrain in flight to finish and keeps any other from starting (a retrain waiting for its turn
    /// must be cancelled by its token). Call once, when the engine stops, before <see cref="Dispose"/>.
    /// </summary>
    public Task StopRetrainingAsync() => _retrainGate.WaitAsync();

    /// <summary>Releases the retrain gate; call after <see cref="StopRetrainingAsync"/>.</summary>
    public void Dispose() => _retrainGate.Dispose();

    private (int Trained, int Reapplied) RetrainNow(CancellationToken cancellationToken)
    {
        (InteractionDataset data, int trained) = _history.Snapshot();
        (InteractionDataset aged, TrainingDecay? decay) = TrainingDecay.Age(data, _halfLife, DateTimeOffset.UtcNow);
        ILiveModel[] fresh = StartAll(_specs, aged, cancellationToken);
        var buffer = new WeightedEvent[_batchSize];
        int position = trained;
        while (_history.Count - position > _batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int read = _history.Read(position, buffer);
            ApplyAll(fresh, buffer.AsSpan(0, read));
            position += read;
        }

        cancellationToken.ThrowIfCancellationRequested();
        lock (_applyLock)
        {
            for (int read; (read = _history.Read(position, buffer)) > 0; position += read)
            {
                ApplyAll(fresh, buffer.AsSpan(0, read));
            }

            _live = fresh;
            _decay = decay;
            _diverged = false;
            for (int m = 0; m < fresh.Length; m++)
            {
                _recommenders[m].Replace(fresh[m].Recommender);
            }
        }

        return (trained, position - trained);
    }

    private static ILiveModel[] StartAll(EngineModel[] specs, InteractionDataset data, CancellationToken cancellationToken)
    {
        var live = new ILiveModel[specs.Length];
        for (int m = 0; m < specs.Length; m++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            live[m] = specs[m].Start(data, null, cancellationToken);
        }

        return live;
    }

    private static void ApplyAll(ILiveModel[] models, ReadOnlySpan<WeightedEvent> batch)
    {
        List<Exception>? errors = null;
        foreach (ILiveModel model in models)
        {
            try
            {
                model.Apply(batch);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                (errors ??= []).Add(e);
            }
        }

        if (errors is not null)
        {
            throw new AggregateException("A model failed to apply a micro-batch of events.", errors);
        }
    }
}
