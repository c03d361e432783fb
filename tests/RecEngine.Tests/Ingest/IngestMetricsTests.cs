using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using RecEngine.Data;
using RecEngine.Ingest;

namespace RecEngine.Tests.Ingest;

public sealed class IngestMetricsTests
{
    /// <summary>An <see cref="IMeterFactory"/> that keeps the meters it made, so a listener can pick exactly them.</summary>
    private sealed class TestMeterFactory : IMeterFactory
    {
        public ConcurrentBag<Meter> Meters { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            Meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (Meter meter in Meters)
            {
                meter.Dispose();
            }
        }
    }

    private sealed class NullApplier : IEventApplier
    {
        public void Apply(ReadOnlySpan<WeightedEvent> batch)
        {
        }
    }

    [Fact]
    public async Task Pipeline_PublishesItsCountersAndHistograms_OnTheRecEngineMeter()
    {
        using var factory = new TestMeterFactory();
        var measurements = new ConcurrentQueue<(string Instrument, double Value, string? Reason)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measurements.Enqueue((instrument.Name, value, Reason(tags))));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measurements.Enqueue((instrument.Name, value, Reason(tags))));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => measurements.Enqueue((instrument.Name, value, Reason(tags))));
        listener.Start();

        await using (var pipeline = new EventPipeline(new IngestOptions(), new NullApplier(), meterFactory: factory))
        {
            Assert.Equal(RecEngineDiagnostics.MeterName, Assert.Single(factory.Meters).Name);
            for (int i = 0; i < 5; i++)
            {
                await pipeline.SubmitAsync(new Interaction("u", $"i{i}", 1f, DateTimeOffset.UnixEpoch, EventKind.View));
            }

            await pipeline.SubmitAsync(new Interaction("", "i", 1f, DateTimeOffset.UnixEpoch, EventKind.View));
            await pipeline.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
            listener.RecordObservableInstruments();
        }

        double Sum(string name) => measurements.Where(m => m.Instrument == name).Sum(m => m.Value);
        Assert.Equal(5, Sum("recengine.ingest.events.accepted"));
        Assert.Equal(("recengine.ingest.events.rejected", 1.0, "EmptyUserId"), Assert.Single(measurements, m => m.Instrument == "recengine.ingest.events.rejected"));
        Assert.Equal(5, measurements.Count(m => m.Instrument == "recengine.ingest.visible.latency"));
        Assert.All(measurements.Where(m => m.Instrument.EndsWith("latency", StringComparison.Ordinal) || m.Instrument.EndsWith("duration", StringComparison.Ordinal)), m => Assert.True(m.Value >= 0));
        Assert.Contains(measurements, m => m.Instrument == "recengine.ingest.apply.duration");
        Assert.Contains(measurements, m => m.Instrument == "recengine.ingest.queue.length");
    }

    private static string? Reason(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == "reason")
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
