using Microsoft.Extensions.Logging;

namespace RecEngine;

/// <summary>The engine's log messages, with stable event ids (1000-1099).</summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Engine started: models {Models}, {Interactions} interactions, state of snapshot after event {SnapshotSequence} (0: none), {Replayed} events replayed from the event log.")]
    public static partial void Started(ILogger logger, IReadOnlyList<string> models, int interactions, long snapshotSequence, long replayed);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "The event log had a damaged tail: {DiscardedBytes} bytes cut after {Records} valid records ({Problem}).")]
    public static partial void LogTailCut(ILogger logger, long discardedBytes, long records, string? problem);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "A micro-batch of events could not be logged or applied.")]
    public static partial void BatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Retrained every model on {Trained} interactions in {Seconds:F1} s; {Reapplied} events that arrived meanwhile were re-applied.")]
    public static partial void Retrained(ILogger logger, int trained, double seconds, int reapplied);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "A scheduled retrain failed; the current models stay in place.")]
    public static partial void RetrainFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Snapshot after event {Sequence} written: {Interactions} interactions, {Bytes} bytes, in {Seconds:F2} s.")]
    public static partial void SnapshotWritten(ILogger logger, long sequence, int interactions, long bytes, double seconds);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Snapshot '{Path}' cannot be used (now at '{SetAside}': damaged files are set aside); trying an older one, else the starting interactions and the whole event log.")]
    public static partial void SnapshotUnreadable(ILogger logger, string path, string setAside, Exception exception);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Error, Message = "A scheduled snapshot failed; the event log still holds every event.")]
    public static partial void SnapshotFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "Old snapshots could not be deleted; the next snapshot tries again.")]
    public static partial void PruneFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "The saved state of model {Model} ({Kind}) does not fit its options or the saved interactions; the model was trained afresh on them.")]
    public static partial void StateDoesNotFit(ILogger logger, string model, string kind);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "A micro-batch failed, so the models and the engine's history disagree; retraining in the background to bring them back in line.")]
    public static partial void Reconciling(ILogger logger);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "Erased {Requested} users ({Known} known): {Interactions} interactions removed from memory, {LogRecords} events from the event log, {FilesDeleted} older snapshot files deleted.")]
    public static partial void Erased(ILogger logger, int requested, int known, int interactions, long logRecords, int filesDeleted);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Engine stopped: {Applied} events applied, {Rejected} rejected, {Dropped} dropped, {Failed} failed.")]
    public static partial void Stopped(ILogger logger, long applied, long rejected, long dropped, long failed);
}
