using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Models.Factorization;

namespace RecEngine.Benchmarks.Ingest;

/// <summary>
/// <c>latency [--rate 20000] [--seconds 10] [--warmup 3] [--readers 1] [--read-rate 0]</c>: a
/// <see cref="RecommendationEngine"/> with live implicit ALS (k = 64, user fold-in) on the synthetic MovieLens-1M
/// shape; events are submitted at a fixed rate from one thread while <c>--readers</c> threads ask for top-10 lists,
/// each at <c>--read-rate</c> calls per second (0: as fast as it can). Samples of the first <c>--warmup</c> seconds
/// (JIT tiering) are not counted. Prints the percentiles of the submit-to-visible latency (from the engine's
/// histogram) and of one <c>Recommend</c> call. Percentiles need every sample, which BenchmarkDotNet does not report,
/// hence a command.
/// </summary>
internal static class LatencyCommand
{
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        double rate = Option(args, "--rate", 20_000);
        double seconds = Option(args, "--seconds", 10);
        double warmup = Option(args, "--warmup", 3);
        int readers = (int)Option(args, "--readers", 1);
        double readRate = Option(args, "--read-rate", 0);
        InteractionDataset data = BenchmarkData.MovieLens1MShape();
        RecommendationEngineOptions options = BenchmarkData.LiveAlsEngine(ItemUpdatePolicy.Never);

        var visible = new List<double>();
        var measuring = Stopwatch.StartNew();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "recengine.ingest.visible.latency")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
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

        RecommendationEngine engine = RecommendationEngine.StartAsync(options, data).GetAwaiter().GetResult();
        listener.Start();
        measuring.Restart();
        var recommend = new List<double>[readers];
        long submitted = 0;
        TimeSpan elapsed;
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(warmup + seconds)))
        {
            Thread[] readerThreads = [.. Enumerable.Range(0, readers).Select(r => new Thread(() => recommend[r] = Read(engine.Recommender, data, r, readRate, warmup, stop.Token)))];
            foreach (Thread reader in readerThreads)
            {
                reader.Start();
            }

            var events = new Random(5);
            var clock = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested)
            {
                long due = (long)(clock.Elapsed.TotalSeconds * rate);
                for (; submitted < due; submitted++)
                {
                    if (!engine.SubmitAsync(BenchmarkData.RandomClick(data, events)).AsTask().GetAwaiter().GetResult().Accepted)
                    {
                        throw new InvalidOperationException("An event was rejected.");
                    }
                }

                Thread.Sleep(1);
            }

            engine.FlushAsync().GetAwaiter().GetResult();
            elapsed = clock.Elapsed;
            foreach (Thread reader in readerThreads)
            {
                reader.Join();
            }
        }

        IngestCounters counters = engine.Counters;
        engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{submitted:N0} events in {elapsed.TotalSeconds:F1} s ({submitted / elapsed.TotalSeconds:N0}/s target {rate:N0}/s), {counters.Batches:N0} micro-batches; {readers} reader(s) at {(readRate > 0 ? readRate.ToString("N0", CultureInfo.InvariantCulture) + "/s" : "full speed")}"));
        lock (visible)
        {
            Report(output, "submit -> visible", visible);
        }

        if (readers > 0)
        {
            Report(output, "Recommend top-10", [.. recommend.SelectMany(r => r)]);
        }

        return 0;
    }

    /// <summary>Asks for top-10 lists of random users until stopped, at <paramref name="rate"/> per second (0: back to back); returns the durations after warm-up.</summary>
    private static List<double> Read(IRecommender recommender, InteractionDataset data, int seed, double rate, double warmup, CancellationToken stop)
    {
        var random = new Random(2 + seed);
        var buffer = new ScoredItem[10];
        var durations = new List<double>();
        var clock = Stopwatch.StartNew();
        long calls = 0;
        while (!stop.IsCancellationRequested)
        {
            if (rate > 0 && calls >= clock.Elapsed.TotalSeconds * rate)
            {
                Thread.Sleep(1);
                continue;
            }

            string user = data.Users.GetId(random.Next(data.UserCount));
            long start = Stopwatch.GetTimestamp();
            recommender.Recommend(user, buffer);
            if (clock.Elapsed.TotalSeconds >= warmup)
            {
                durations.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }

            calls++;
        }

        return durations;
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
}
