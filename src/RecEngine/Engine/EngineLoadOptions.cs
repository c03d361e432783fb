using RecEngine.Ingest;

namespace RecEngine;

/// <summary>
/// What the host gives an engine loaded from a saved state with its saved configuration
/// (<see cref="RecommendationEngine.LoadAsync(Stream, EngineLoadOptions?, Microsoft.Extensions.Logging.ILogger?, System.Diagnostics.Metrics.IMeterFactory?, CancellationToken)"/>):
/// where it keeps its files and how often it writes them. The models, the ingest options, the half-life and the
/// retrain interval come from the saved state. Validated when the engine starts, as
/// <see cref="RecommendationEngineOptions"/> are.
/// </summary>
public sealed class EngineLoadOptions
{
    /// <summary>
    /// The directory for the engine's event log and snapshots; <see langword="null"/> (the default) for none. It must
    /// be new or empty: the loaded state becomes its first snapshot. See <see cref="RecommendationEngineOptions.DataDirectory"/>.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>When the event log forces writes to storage (with a <see cref="DataDirectory"/>).</summary>
    public EventLogOptions EventLog { get; set; } = new();

    /// <summary>How often a snapshot is written into <see cref="DataDirectory"/>; <see langword="null"/> (the default) for none but those asked for.</summary>
    public TimeSpan? SnapshotInterval { get; set; }

    /// <summary>Snapshots kept in <see cref="DataDirectory"/>. The default is 2.</summary>
    public int SnapshotsToKeep { get; set; } = 2;
}
