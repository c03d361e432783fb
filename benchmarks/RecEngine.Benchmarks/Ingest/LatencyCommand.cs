using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Models.Factorization;

namespace RecEngine.Benchmarks.Ingest;

/// <summary>
/// <c>latency [--rate 20000] [--seconds 10] [--warmup 3] [--readers 1|0]</c>: live implicit ALS (k = 64, user fold-in) on the
/// synthetic MovieLens-1M shape, events submitted at a fixed rate from one thread while another thread asks for
/// top-10 lists as fast as it can; samples of the first <c>--warmup</c> seconds (JIT tiering) are not counted.
/// Prints the percentiles of the submit-to-visible latency (from the pipeline's histogram) and of one
/// <c>Recommend</c> call. Percentiles need every sample, which BenchmarkDotNet does not report, hence a command.
/// </summary>
internal static class LatencyCommand
{
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        double rate = Option(args, "--rate", 20_000);
        double seconds = Option(args, "--seconds", 10);
        double warmup = Option(args, "--warmup", 3);
        bool reading = Option(args, "--readers", 1) > 0;
        InteractionDataset data = BenchmarkData.MovieLens1MShape();
        var fitted = new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 64, Iterations = 3, Values = MatrixValues.One, DegreeOfParallelism = 2 });
        fitted.Fit(data);
        var live = new LiveImplicitAls(fitted, new LiveAlsOptions { ItemUpdates = ItemUpdatePolicy.Never });

        var visible = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "recengine.ingest.visible.latency")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        var measuring = Stopwatch.StartNew();
        listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            if (measuring.Elapsed.TotalSeconds >= warmup)
            {
                lock (visible)
                {
                    visible.Add(value);
                }
            }
        });
        listener.Start();

        var recommend = new List<double>();
        using (var pipeline = new PipelineScope(new EventPipeline(new IngestOptions(), live)))
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(warmup + seconds));
            var counting = Stopwatch.StartNew();
            Thread reader = new(() =>
            {
                var random = new Random(2);
                var buffer = new ScoredItem[10];
                while (!stop.IsCancellationRequested)
                {
                    string user = data.Users.GetId(random.Next(data.UserCount));
                    long start = Stopwatch.GetTimestamp();
                    live.Recommender.Recommend(user, buffer);
                    if (counting.Elapsed.TotalSeconds >= warmup)
                    {
                        recommend.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                }
            });
            if (reading)
            {
                reader.Start();
            }

            var events = new Random(5);
            var clock = Stopwatch.StartNew();
            long submitted = 0;
            while (!stop.IsCancellationRequested)
            {
                long due = (long)(clock.Elapsed.TotalSeconds * rate);
                for (; submitted < due; submitted++)
                {
                    int row = events.Next(data.Count);
                    var e = new Interaction(data.Users.GetId(data.UserIndices[row]), data.Items.GetId(events.Next(data.ItemCount)), 1f, DateTimeOffset.UnixEpoch, EventKind.Click);
                    if (!pipeline.Pipeline.SubmitAsync(e).AsTask().GetAwaiter().GetResult().Accepted)
                    {
                        throw new InvalidOperationException("An event was rejected.");
                    }
                }

                Thread.Sleep(1);
            }

            pipeline.Pipeline.FlushAsync().GetAwaiter().GetResult();
            if (reading)
            {
                reader.Join();
            }
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{submitted:N0} events in {clock.Elapsed.TotalSeconds:F1} s ({submitted / clock.Elapsed.TotalSeconds:N0}/s target {rate:N0}/s), {pipeline.Pipeline.Counters.Batches:N0} micro-batches"));
        }

        lock (visible)
        {
            Report(output, "submit -> visible", visible);
        }

        if (reading)
        {
            Report(output, "Recommend top-10", recommend);
        }
        return 0;
    }

    private static void Report(TextWriter output, string what, List<double> milliseconds)
    {
        milliseconds.Sort();
        double At(double q) => milliseconds.Count == 0 ? double.NaN : milliseconds[Math.Min(milliseconds.Count - 1, (int)(q * milliseconds.Count))];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {milliseconds.Count:N0} samples, p50 {At(0.5):F3} ms, p99 {At(0.99):F3} ms, p99.9 {At(0.999):F3} ms, max {milliseconds[^1]:F3} ms"));
    }

    private static double Option(IReadOnlyList<string> args, string name, double fallback)
    {
        for (int i = 0; i + 1 < args.Count; i++)
        {
            if (args[i] == name)
            {
                return double.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
        }

        return fallback;
    }

    /// <summary>Disposes the pipeline synchronously at the end of the run.</summary>
    private sealed class PipelineScope(EventPipeline pipeline) : IDisposable
    {
        public EventPipeline Pipeline => pipeline;

        public void Dispose() => pipeline.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
