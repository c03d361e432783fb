using System.Globalization;
using System.Text;
using RecEngine;
using RecEngine.CrashHost;
using RecEngine.Ingest;

// The child process of the crash-recovery test: usage `RecEngine.CrashHost <data directory> <seed> <round>`.
// It starts an engine on the data directory (training on the workload's starting interactions, or restoring the
// newest snapshot, then replaying the log), writes "ready", and then submits the round's events from several
// submitters until the test kills it. After each submission is acknowledged it writes "ack <index>"; every
// SnapshotEvery acknowledgements it writes "snapshotting", a snapshot, and then "snapshot <sequence>". Each line goes
// to standard output in one write of its own, so a kill leaves only whole lines behind. Anything unexpected ends the
// process with a message on standard error and exit code 2, which the test reports.
if (args.Length != 3 || !int.TryParse(args[1], CultureInfo.InvariantCulture, out int seed) || !int.TryParse(args[2], CultureInfo.InvariantCulture, out int round) || round < 0)
{
    await Console.Error.WriteLineAsync("usage: RecEngine.CrashHost <data directory> <seed> <round>");
    return 2;
}

var workload = new CrashWorkload(seed);
using var output = new CrashHostOutput(Console.OpenStandardOutput());
try
{
    await using RecommendationEngine engine = await RecommendationEngine.StartAsync(CrashWorkload.Options(args[0]), workload.Start);
    output.WriteLine("ready");
    using var snapshotDue = new SemaphoreSlim(0);
    long acknowledged = 0;

    async Task SubmitAsync(int submitter)
    {
        for (long position = 0; position < CrashWorkload.EventsPerRound / CrashWorkload.Submitters; position++)
        {
            long index = CrashWorkload.Index(round, submitter, position);
            SubmitResult result = await engine.SubmitAsync(workload.Event(index));
            if (!result.Accepted)
            {
                throw new InvalidOperationException($"Event {index} was rejected: {result.Reason}.");
            }

            output.WriteLine($"ack {index}");
            if (Interlocked.Increment(ref acknowledged) % CrashWorkload.SnapshotEvery == 0)
            {
                snapshotDue.Release();
            }
        }
    }

    async Task SnapshotAsync()
    {
        while (true)
        {
            await snapshotDue.WaitAsync();
            output.WriteLine("snapshotting");
            SnapshotResult snapshot = await engine.SnapshotAsync();
            output.WriteLine($"snapshot {snapshot.Sequence}");
        }
    }

    Task snapshots = Task.Run(SnapshotAsync);
    Task submitted = Task.WhenAll(Enumerable.Range(0, CrashWorkload.Submitters).Select(s => Task.Run(() => SubmitAsync(s))));

    // Runs until killed: after the round's last event it only waits; a failure of either loop ends the process.
    Task first = await Task.WhenAny(submitted, snapshots);
    await first;
    await snapshots;
    return 0;
}
catch (Exception e)
{
    await Console.Error.WriteLineAsync(e.ToString());
    return 2;
}

/// <summary>Standard output as whole lines: each line is one unbuffered write, so a kill never leaves half a line.</summary>
internal sealed class CrashHostOutput(Stream stream) : IDisposable
{
    private readonly Lock _lock = new();

    public void WriteLine(string line)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(line + "\n");
        lock (_lock)
        {
            stream.Write(bytes);
            stream.Flush();
        }
    }

    public void Dispose() => stream.Dispose();
}
