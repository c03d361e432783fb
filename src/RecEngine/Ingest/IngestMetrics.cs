using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RecEngine.Ingest;

/// <summary>
/// The ingest pipeline's instruments, on the meter named <see cref="RecEngineDiagnostics.MeterName"/> (so
/// OpenTelemetry or <c>dotnet-counters</c> can subscribe by name). The meter comes from the host's <see cref="IMeterFactory"/> when
/// there is one, else the pipeline owns it.
/// </summary>
/// <remarks>
/// Instruments: <c>recengine.ingest.events.accepted</c>, <c>.rejected</c> (tag <c>reason</c>), <c>.dropped</c> and
/// <c>.failed</c> (counters of events); <c>recengine.ingest.queue.length</c> (gauge of queued items);
/// <c>recengine.ingest.apply.duration</c> (histogram, milliseconds per micro-batch, logging included);
/// <c>recengine.ingest.visible.latency</c> (histogram, milliseconds from submission to applied, per event).
/// </remarks>
internal sealed class IngestMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _failed;
    private readonly Histogram<double> _applyDuration;
    private readonly Histogram<double> _visibleLatency;

    public IngestMetrics(IMeterFactory? factory, Func<int> queueLength)
    {
        _ownsMeter = factory is null;
        _meter = factory?.Create(RecEngineDiagnostics.MeterName) ?? new Meter(RecEngineDiagnostics.MeterName);
        _accepted = _meter.CreateCounter<long>("recengine.ingest.events.accepted", "{event}", "Events accepted into the ingest queue.");
        _rejected = _meter.CreateCounter<long>("recengine.ingest.events.rejected", "{event}", "Events rejected on submission, by reason.");
        _dropped = _meter.CreateCounter<long>("recengine.ingest.events.dropped", "{event}", "Accepted events dropped from a full queue.");
        _failed = _meter.CreateCounter<long>("recengine.ingest.events.failed", "{event}", "Accepted events whose micro-batch failed to be logged or applied.");
        _meter.CreateObservableGauge("recengine.ingest.queue.length", queueLength, "{item}", "Items waiting in the ingest queue.");
        _applyDuration = _meter.CreateHistogram<double>("recengine.ingest.apply.duration", "ms", "Time to log and apply one micro-batch.");
        _visibleLatency = _meter.CreateHistogram<double>("recengine.ingest.visible.latency", "ms", "Time from an event's submission until it is applied.");
    }

    /// <summary>The meter the instruments live on.</summary>
    public Meter Meter => _meter;

    public void Accepted() => _accepted.Add(1);

    public void Rejected(EventRejectionReason reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()));

    public void Dropped() => _dropped.Add(1);

    public void Failed(int count) => _failed.Add(count);

    /// <summary>Records one micro-batch that started at <paramref name="start"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void BatchApplied(long start) => _applyDuration.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds);

    /// <summary>Records the latency of an event submitted at <paramref name="submitted"/>, now applied at <paramref name="now"/>.</summary>
    public void Visible(long submitted, long now)
    {
        if (_visibleLatency.Enabled)
        {
            _visibleLatency.Record(Stopwatch.GetElapsedTime(submitted, now).TotalMilliseconds);
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
