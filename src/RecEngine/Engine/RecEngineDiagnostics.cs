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
/// </remarks>
public static class RecEngineDiagnostics
{
    /// <summary>The name of RecEngine's <see cref="System.Diagnostics.Metrics.Meter"/>: <c>RecEngine</c>.</summary>
    public const string MeterName = "RecEngine";
}
