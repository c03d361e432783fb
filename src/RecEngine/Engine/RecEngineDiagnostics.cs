namespace RecEngine;

/// <summary>
/// The names RecEngine's telemetry is published under, for OpenTelemetry (<c>AddMeter</c>) or <c>dotnet-counters</c>.
/// </summary>
/// <remarks>
/// Instruments of the meter:
/// <list type="bullet">
/// <item><c>recengine.ingest.events.accepted</c>, <c>recengine.ingest.events.rejected</c> (tag <c>reason</c>),
/// <c>recengine.ingest.events.dropped</c>, <c>recengine.ingest.events.failed</c>: counters of events;</item>
/// <item><c>recengine.ingest.queue.length</c>: gauge of queued events;</item>
/// <item><c>recengine.ingest.apply.duration</c>: histogram, milliseconds to log and apply one micro-batch;</item>
/// <item><c>recengine.ingest.visible.latency</c>: histogram, milliseconds from an event's submission until readers see it;</item>
/// <item><c>recengine.recommend.duration</c> (tag <c>model</c>): histogram, milliseconds per top-N call of an engine's recommender;</item>
/// <item><c>recengine.retrain.duration</c> (tag <c>outcome</c>): histogram, seconds per background retrain.</item>
/// </list>
/// Activities of the activity source (<c>AddSource</c> in OpenTelemetry tracing), created only when sampled:
/// <list type="bullet">
/// <item><c>recengine.recommend</c> and <c>recengine.similar</c>: one top-N or similar-items call of an engine's
/// recommender (tags <c>recengine.model</c>, <c>recengine.count</c>), a child of the caller's activity (for example
/// the HTTP request);</item>
/// <item><c>recengine.start</c>: training or restoring the models and replaying the log (tags
/// <c>recengine.loaded</c>, <c>recengine.interactions</c>, <c>recengine.replayed</c>);</item>
/// <item><c>recengine.retrain</c> (tag <c>recengine.outcome</c>) and <c>recengine.save</c> (a snapshot or a save;
/// tags <c>recengine.interactions</c>, <c>recengine.bytes</c>).</item>
/// </list>
/// </remarks>
public static class RecEngineDiagnostics
{
    /// <summary>The name of RecEngine's <see cref="System.Diagnostics.Metrics.Meter"/>: <c>RecEngine</c>.</summary>
    public const string MeterName = "RecEngine";

    /// <summary>The name of RecEngine's <see cref="System.Diagnostics.ActivitySource"/>: <c>RecEngine</c>.</summary>
    public const string ActivitySourceName = "RecEngine";
}
