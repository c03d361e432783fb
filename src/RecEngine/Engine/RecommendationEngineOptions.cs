using RecEngine.Ingest;

namespace RecEngine;

/// <summary>Options of a <see cref="RecommendationEngine"/>. Validated when the engine starts.</summary>
public sealed class RecommendationEngineOptions
{
    /// <summary>The models the engine trains, serves and keeps up to date; at least one, with distinct names.</summary>
    public IList<EngineModel> Models { get; } = new List<EngineModel>();

    /// <summary>The name of the model <see cref="RecommendationEngine.Recommender"/> serves; <see langword="null"/> for the first model.</summary>
    public string? DefaultModel { get; set; }

    /// <summary>Event checks, weights, the queue and micro-batches.</summary>
    public IngestOptions Ingest { get; set; } = new();

    /// <summary>
    /// Where the engine keeps its event log and snapshots; <see langword="null"/> (the default) for none, so events
    /// live in memory only. With a directory, every accepted event is logged before it is applied; the next start
    /// loads the newest readable snapshot (else trains on the starting interactions) and replays the events logged
    /// after it. One engine at a time holds a directory (a second start fails with <see cref="IOException"/>).
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>When the event log forces writes to storage (with a <see cref="DataDirectory"/>).</summary>
    public EventLogOptions EventLog { get; set; } = new();

    /// <summary>
    /// How often every model is retrained from scratch in the background on all interactions so far (then swapped in,
    /// with the events that arrived meanwhile re-applied); <see langword="null"/> (the default) to retrain only on
    /// <see cref="RecommendationEngine.RetrainAsync"/>.
    /// </summary>
    public TimeSpan? RetrainInterval { get; set; }

    /// <summary>
    /// Ages interactions whenever the models are trained (at start and at every retrain): an interaction's weight is
    /// multiplied by 2^(−age / <see cref="HalfLife"/>), its age measured from the newest interaction then known;
    /// events that arrive after a training count in full until the next. It changes the models that read weights
    /// (<see cref="Data.MatrixValues.Weight"/>: implicit ALS by default, the others when configured so);
    /// popularity's own <see cref="Models.Popularity.PopularityOptions.HalfLife"/> ages continuously. With a
    /// <see cref="RetrainInterval"/>, old interactions keep fading. <see langword="null"/> (the default) for none.
    /// </summary>
    public TimeSpan? HalfLife { get; set; }

    /// <summary>
    /// How often the engine writes a snapshot of its state into <see cref="DataDirectory"/> (required); a start then
    /// loads the newest readable snapshot and replays only the events logged after it. <see langword="null"/> (the
    /// default) to snapshot only on <see cref="RecommendationEngine.SnapshotAsync"/>.
    /// </summary>
    public TimeSpan? SnapshotInterval { get; set; }

    /// <summary>Snapshots kept in <see cref="DataDirectory"/>; older ones are deleted after each new one. The default is 2.</summary>
    public int SnapshotsToKeep { get; set; } = 2;

    /// <summary>
    /// The clock that times the <see cref="RetrainInterval"/> and <see cref="SnapshotInterval"/> schedules;
    /// <see langword="null"/> (the default) for <see cref="TimeProvider.System"/>, or, when the engine is registered
    /// with <see cref="RecEngineServiceCollectionExtensions.AddRecEngine"/>, the container's <see cref="System.TimeProvider"/> if it has one.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>A copy of these options with <paramref name="models"/> after this instance's own models.</summary>
    internal RecommendationEngineOptions WithModels(IEnumerable<EngineModel> models)
    {
        var copy = new RecommendationEngineOptions
        {
            DefaultModel = DefaultModel,
            Ingest = Ingest,
            DataDirectory = DataDirectory,
            EventLog = EventLog,
            RetrainInterval = RetrainInterval,
            HalfLife = HalfLife,
            SnapshotInterval = SnapshotInterval,
            SnapshotsToKeep = SnapshotsToKeep,
            TimeProvider = TimeProvider,
        };
        foreach (EngineModel model in Models.Concat(models))
        {
            copy.Models.Add(model);
        }

        return copy;
    }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">No model, two models with one name, or a default model that is not one of them.</exception>
    /// <exception cref="ArgumentNullException"><see cref="Ingest"/>, <see cref="EventLog"/> or a model is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the exception names the property.</exception>
    public void Validate()
    {
        ValidateModels();
        ValidateSettings();
    }

    /// <summary>Checks the models: at least one, distinct names, and a default model among them.</summary>
    internal void ValidateModels()
    {
        foreach (EngineModel model in Models)
        {
            ArgumentNullException.ThrowIfNull(model, nameof(Models));
        }

        foreach ((string message, string parameter) in ModelNameProblems([.. Models.Select(m => m.Name)], DefaultModel))
        {
            throw new ArgumentException(message, parameter);
        }
    }

    /// <summary>Every problem with a set of model names: none, a name used twice, a default model that is not one of them.</summary>
    internal static IEnumerable<(string Message, string Parameter)> ModelNameProblems(IReadOnlyList<string> names, string? defaultModel)
    {
        if (names.Count == 0)
        {
            yield return ("An engine needs at least one model in Models.", nameof(Models));
        }

        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (!distinct.Add(name))
            {
                yield return ($"Two models are named '{name}'; model names must be distinct.", nameof(Models));
            }
        }

        if (defaultModel is not null && !distinct.Contains(defaultModel))
        {
            yield return ($"DefaultModel '{defaultModel}' is not the name of a model ({string.Join(", ", distinct)}).", nameof(DefaultModel));
        }
    }

    /// <summary>Checks everything but the models.</summary>
    internal void ValidateSettings()
    {
        ArgumentNullException.ThrowIfNull(Ingest);
        Ingest.Validate();
        ArgumentNullException.ThrowIfNull(EventLog);
        EventLog.Validate();
        if (DataDirectory is { Length: 0 })
        {
            throw new ArgumentException("DataDirectory is empty; use null for no event log.", nameof(DataDirectory));
        }

        CheckInterval(RetrainInterval, nameof(RetrainInterval));
        if (HalfLife is { } halfLife && (halfLife < TimeSpan.FromSeconds(1) || halfLife > TimeSpan.FromDays(36_500)))
        {
            throw new ArgumentOutOfRangeException(nameof(HalfLife), halfLife, "HalfLife must be between 1 second and 36,500 days.");
        }

        CheckInterval(SnapshotInterval, nameof(SnapshotInterval));
        if (SnapshotInterval is not null && DataDirectory is null)
        {
            throw new ArgumentException("SnapshotInterval needs a DataDirectory to write snapshots into.", nameof(SnapshotInterval));
        }

        if (SnapshotsToKeep is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(SnapshotsToKeep), SnapshotsToKeep, "SnapshotsToKeep must be in [1, 100].");
        }
    }

    private static void CheckInterval(TimeSpan? interval, string name)
    {
        if (interval is { } value && (value < TimeSpan.FromSeconds(1) || value > TimeSpan.FromDays(365)))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between 1 second and 365 days.");
        }
    }
}
