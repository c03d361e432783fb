using System.Diagnostics;
using System.Globalization;
using System.Text;
using RecEngine.CrashHost;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Persistence;
using RecEngine.Tests.TestUtilities;
using EventLog = RecEngine.Ingest.EventLog;
using Xunit.Abstractions;

namespace RecEngine.Tests.Reliability;

/// <summary>
/// Durability under real crashes: the crash host (<c>tests/RecEngine.CrashHost</c>) ingests into a data directory
/// with the per-batch durable log and is killed with SIGKILL at random points, round after round on the same
/// directory, so kills land during start-up and replay, during ingestion and during snapshot writes (some rounds kill
/// just after the host says a snapshot has begun). After every round the directory (a copy, so the next start still
/// meets what the kill left) is opened in this process and checked against what the host acknowledged and against the
/// log read independently of the engine.
/// </summary>
[Trait("Category", "Reliability")]
public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int Seed = 20_251_207;
    private const int Rounds = 20;

    /// <summary>The engine's log event ids for a snapshot it cannot use and for a micro-batch that failed.</summary>
    private const int SnapshotUnusable = 1007, BatchFailed = 1002;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan EngineTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task KilledAtRandomPoints_KeepsEveryAcknowledgedEvent_AndAppliesWholeBatchesOnly()
    {
        var workload = new CrashWorkload(Seed);
        var random = new Random(Seed);
        string root = Directory.CreateTempSubdirectory("recengine-crash-").FullName;
        string directory = Path.Combine(root, "data");
        var acknowledged = new int[Rounds, CrashWorkload.Submitters];
        var recoveredBefore = new int[Rounds, CrashWorkload.Submitters];
        var totals = new Totals();
        long started = Stopwatch.GetTimestamp();
        try
        {
            for (int round = 0; round < Rounds; round++)
            {
                double draw = random.NextDouble();
                KillPoint point = draw < 0.3 ? KillPoint.AfterLaunch : draw < 0.75 ? KillPoint.AfterReady : KillPoint.AfterSnapshotBegins;
                var delay = TimeSpan.FromMilliseconds(point == KillPoint.AfterSnapshotBegins ? random.Next(0, 16) : random.Next(50, 801));
                HostRun run = await HostRun.RunAndKillAsync(directory, round, point, delay);
                for (int submitter = 0; submitter < CrashWorkload.Submitters; submitter++)
                {
                    acknowledged[round, submitter] = run.Acknowledged[submitter];
                }

                totals.Kills++;
                totals.KillsBeforeReady += run.Ready ? 0 : 1;
                totals.Acknowledged += run.Acknowledged.Sum();
                totals.Snapshots += run.Snapshots;
                totals.KillsDuringSnapshot += run.SnapshotsBegun > run.Snapshots ? 1 : 0;
                Recovery recovery = await RecoverCopyAsync(workload, directory, Path.Combine(root, $"check-{round}"), round, acknowledged, recoveredBefore);
                totals.Add(recovery);
                output.WriteLine(
                    $"round {round,2}: killed {delay.TotalMilliseconds,3:F0} ms {Describe(point)}{(run.Ready ? "" : " (still starting)")}" +
                    $"{(run.SnapshotsBegun > run.Snapshots ? " (writing a snapshot)" : "")}, " +
                    $"{run.Acknowledged.Sum(),5} acknowledged, {run.Snapshots,2} snapshots; recovered {recovery.Events,6} events in {recovery.Batches,5} batches, " +
                    $"{recovery.DurableUnacknowledged} logged but unacknowledged, {recovery.Lost} lost, torn tail {recovery.TailBytes} bytes, " +
                    $"{recovery.TemporarySnapshots.Length} temporary snapshot files present");
                Assert.Equal(0, recovery.Lost);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        output.WriteLine(
            $"rounds {Rounds}, kills {totals.Kills} ({totals.KillsBeforeReady} before ready: start-up or replay; {totals.KillsDuringSnapshot} while a snapshot was being written), " +
            $"snapshots written {totals.Snapshots}, " +
            $"events acknowledged {totals.Acknowledged}, events recovered {totals.Recovered} ({totals.DurableUnacknowledged} of them logged but not acknowledged before the kill), " +
            $"events lost {totals.Lost}, torn tails cut {totals.TornTails}, temporary files of interrupted snapshot writes {totals.InterruptedSnapshotFiles.Count}, " +
            $"time {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
        Assert.Equal(0, totals.Lost);
        Assert.True(totals.Acknowledged > 0, "No event was acknowledged in any round: the kills all landed before ingestion began.");
    }

    /// <summary>
    /// Opens a copy of <paramref name="directory"/> in this process and checks the engine it recovers: the events it
    /// holds are exactly the complete batches of the log, each as it was submitted; every acknowledged event is there
    /// once; what each submitter has there is its acknowledged events plus at most the one it was waiting for; earlier
    /// rounds recover the same as before; and an engine fed the recovered events afresh serves the same.
    /// </summary>
    private static async Task<Recovery> RecoverCopyAsync(
        CrashWorkload workload, string directory, string copy, int round, int[,] acknowledged, int[,] recoveredBefore)
    {
        Directory.CreateDirectory(copy);
        try
        {
            // A kill before the host took the directory leaves none.
            IEnumerable<string> files = Directory.Exists(directory) ? Directory.EnumerateFiles(directory) : [];
            foreach (string file in files.Where(f => Path.GetFileName(f) != DataDirectoryLock.FileName))
            {
                File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            }

            string[] temporarySnapshots = [.. Directory.EnumerateFiles(copy, "*.tmp").Select(Path.GetFileName)!];
            EventLogReference.Contents logged = EventLogReference.Read(Path.Combine(copy, EventLog.FileName));
            InteractionDataset history;
            Interaction[] events;
            var logger = new ListLogger();
            await using (RecommendationEngine recovered = await RecommendationEngine.StartAsync(CrashWorkload.Options(copy), workload.Start, logger).WaitAsync(EngineTimeout))
            {
                history = await HistoryOf(recovered);
                events = CheckHistory(workload, history, logged);
                await AssertServesAsFreshEngineAsync(workload, recovered, events);
            }

            // Snapshots are written to a temporary name and renamed, so no kill leaves a damaged one behind; and no
            // recovered batch fails to apply.
            Assert.DoesNotContain(logger.Entries, e => e.Id is SnapshotUnusable or BatchFailed);

            var recoveredNow = new int[round + 1, CrashWorkload.Submitters];
            foreach (Interaction e in events)
            {
                long index = CrashWorkload.IndexOf(e.Timestamp);
                (int r, int s, long position) = CrashWorkload.Decode(index);
                Assert.True(r <= round, $"Event {index} is of round {r}, which has not run yet.");

                // A submitter submits one event at a time, so its events are recovered as a prefix, in order.
                Assert.Equal(recoveredNow[r, s], position);
                recoveredNow[r, s]++;
            }

            int lost = 0, durableUnacknowledged = 0;
            for (int r = 0; r <= round; r++)
            {
                for (int s = 0; s < CrashWorkload.Submitters; s++)
                {
                    int have = recoveredNow[r, s], acked = acknowledged[r, s];
                    lost += Math.Max(0, acked - have);
                    durableUnacknowledged += Math.Max(0, have - acked);

                    // Beyond its acknowledged events, a submitter can have only the one it was waiting for when killed.
                    Assert.True(have <= acked + 1, $"Round {r}, submitter {s}: {have} events recovered, {acked} acknowledged; only the one in flight may be unacknowledged.");
                    if (r < round)
                    {
                        Assert.True(recoveredBefore[r, s] == have, $"Round {r}, submitter {s}: {recoveredBefore[r, s]} events recovered after round {r}, {have} now.");
                    }

                    recoveredBefore[r, s] = have;
                }
            }

            return new Recovery(events.Length, logged.Batches, logged.TailBytes, lost, durableUnacknowledged, temporarySnapshots);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    /// <summary>Everything the engine holds: its saved state read back, whose history is every interaction in order.</summary>
    private static async Task<InteractionDataset> HistoryOf(RecommendationEngine engine)
    {
        using var saved = new MemoryStream();
        await engine.SaveAsync(saved).WaitAsync(EngineTimeout);
        saved.Position = 0;
        return SnapshotFile.Read(saved, "The recovered engine's state").History;
    }

    /// <summary>
    /// Checks that the history is the starting interactions followed by exactly the records of the log's complete
    /// batches (numbered 1, 2, 3, … with no gap), each equal to the event its timestamp names, and returns those events.
    /// </summary>
    private static Interaction[] CheckHistory(CrashWorkload workload, InteractionDataset history, EventLogReference.Contents logged)
    {
        InteractionDataset start = workload.Start;
        Assert.Equal(start.Count + logged.Committed.Count, history.Count);
        for (int row = 0; row < start.Count; row++)
        {
            Assert.Equal(start[row], history[row]);
        }

        var weights = new EventWeights();
        var seen = new HashSet<long>();
        var events = new Interaction[logged.Committed.Count];
        for (int i = 0; i < events.Length; i++)
        {
            EventLogReference.Record record = logged.Committed[i];
            Interaction e = history[start.Count + i];
            long index = CrashWorkload.IndexOf(e.Timestamp);
            Assert.True(i + 1 == record.Sequence, $"Logged event {i} has sequence {record.Sequence}: a batch is missing before it.");
            Assert.True(seen.Add(index), $"Event {index} is held twice.");

            // Exactly as submitted: every field of the event its index names, in the engine and in the log.
            Interaction submitted = workload.Event(index);
            Assert.Equal(submitted, e);
            Assert.Equal(weights.WeightOf(submitted.Kind, submitted.Value), history.Weights[start.Count + i]);
            Assert.Equal(
                new EventLogReference.Record(i + 1, submitted.Timestamp.ToUnixTimeMilliseconds(), submitted.Value, weights.WeightOf(submitted.Kind, submitted.Value), submitted.UserId, submitted.ItemId, submitted.Kind.Name),
                record);
            events[i] = e;
        }

        return events;
    }

    /// <summary>
    /// A fresh engine without a data directory, started from the same interactions and fed the recovered events in
    /// their order (in other micro-batches), serves what the recovered engine serves: item-kNN and popularity exactly,
    /// ALS (user fold-in against frozen items) to the rounding of its cached confidence terms.
    /// </summary>
    private static async Task AssertServesAsFreshEngineAsync(CrashWorkload workload, RecommendationEngine recovered, Interaction[] events)
    {
        await using RecommendationEngine fresh = await RecommendationEngine.StartAsync(CrashWorkload.Options(null), workload.Start).WaitAsync(EngineTimeout);
        BatchSubmitResult submitted = await fresh.SubmitAsync(events).AsTask().WaitAsync(EngineTimeout);
        Assert.Equal(events.Length, submitted.Accepted);
        await fresh.FlushAsync().WaitAsync(EngineTimeout);

        string[] users = [.. Enumerable.Range(0, workload.Start.UserCount).Where(u => u % 3 == 0).Select(workload.Start.Users.GetId), .. CrashWorkload.VisitorIds];
        foreach (string model in recovered.ModelNames)
        {
            foreach (string user in users)
            {
                IReadOnlyList<ScoredItem> expected = fresh.GetRecommender(model).Recommend(user, 10);
                IReadOnlyList<ScoredItem> actual = recovered.GetRecommender(model).Recommend(user, 10);
                if (model == "als")
                {
                    // Scores in order, so a near-tie may swap two items.
                    Assert.Equal(expected.Select(i => i.Score), actual.Select(i => i.Score), (a, b) => Math.Abs(a - b) <= 1e-4f);
                }
                else
                {
                    Assert.Equal(expected, actual);
                }
            }
        }
    }

    private static string Describe(KillPoint point) => point switch
    {
        KillPoint.AfterLaunch => "after launch",
        KillPoint.AfterReady => "after ready",
        _ => "after a snapshot began",
    };

    /// <summary>What a round's kill delay counts from.</summary>
    private enum KillPoint
    {
        /// <summary>The host's launch: the kill may land in start-up (training or restoring, replaying the log).</summary>
        AfterLaunch,

        /// <summary>The host's "ready": the kill lands in ingestion (or a snapshot).</summary>
        AfterReady,

        /// <summary>The host's first "snapshotting" of the run: the kill lands in the snapshot write or just after it.</summary>
        AfterSnapshotBegins,
    }

    private sealed record Recovery(int Events, int Batches, long TailBytes, int Lost, int DurableUnacknowledged, string[] TemporarySnapshots);

    private sealed class Totals
    {
        public int Kills { get; set; }

        public int KillsBeforeReady { get; set; }

        public long Acknowledged { get; set; }

        public int Snapshots { get; set; }

        public int KillsDuringSnapshot { get; set; }

        public long Recovered { get; private set; }

        public int DurableUnacknowledged { get; private set; }

        public int Lost { get; private set; }

        public int TornTails { get; private set; }

        /// <summary>Temporary files of interrupted snapshot writes seen (the engine ignores them and prunes them after its next snapshot).</summary>
        public HashSet<string> InterruptedSnapshotFiles { get; } = new(StringComparer.Ordinal);

        public void Add(Recovery recovery)
        {
            Recovered = recovery.Events;
            DurableUnacknowledged = recovery.DurableUnacknowledged;
            Lost += recovery.Lost;
            TornTails += recovery.TailBytes > 0 ? 1 : 0;
            InterruptedSnapshotFiles.UnionWith(recovery.TemporarySnapshots);
        }
    }

    /// <summary>One run of the crash host, ended by SIGKILL: what it acknowledged before the kill.</summary>
    private sealed class HostRun
    {
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _snapshotBegun = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<string> _unexpected = [];

        private HostRun()
        {
        }

        /// <summary>Acknowledged events per submitter (each a prefix of its submissions).</summary>
        public int[] Acknowledged { get; } = new int[CrashWorkload.Submitters];

        /// <summary>Whether the host had started (trained or restored, and replayed the log) before the kill.</summary>
        public bool Ready => _ready.Task.IsCompleted;

        /// <summary>Snapshots the host wrote.</summary>
        public int Snapshots { get; private set; }

        /// <summary>Snapshots the host began (one more than <see cref="Snapshots"/> when the kill came during a write).</summary>
        public int SnapshotsBegun { get; private set; }

        /// <summary>
        /// Starts the host on <paramref name="directory"/> for <paramref name="round"/>, kills it <paramref name="delay"/>
        /// after <paramref name="point"/>, and reads its output to the end. Fails when the host exits by itself or does
        /// not reach the point in time.
        /// </summary>
        public static async Task<HostRun> RunAndKillAsync(string directory, int round, KillPoint point, TimeSpan delay)
        {
            var run = new HostRun();
            // The host running this test (the SDK sets DOTNET_HOST_PATH for test runs), else dotnet on the PATH.
            var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
            {
                ArgumentList = { HostPath(), directory, Seed.ToString(CultureInfo.InvariantCulture), round.ToString(CultureInfo.InvariantCulture) },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.Environment["DOTNET_NOLOGO"] = "1";
            using Process process = Process.Start(info)!;
            try
            {
                Task reading = run.ReadAsync(process.StandardOutput.BaseStream, round);
                Task<string> errors = process.StandardError.ReadToEndAsync();
                Task exited = process.WaitForExitAsync();
                if (point != KillPoint.AfterLaunch)
                {
                    Task awaited = point == KillPoint.AfterReady ? run._ready.Task : run._snapshotBegun.Task;
                    await Task.WhenAny(awaited, exited).WaitAsync(StartTimeout);
                    await FailIfExitedAsync(process, errors, $"before the kill point ({Describe(point)})");
                }

                await Task.WhenAny(Task.Delay(delay), exited);
                await FailIfExitedAsync(process, errors, "before it was killed");
                process.Kill(entireProcessTree: true);
                await exited.WaitAsync(ExitTimeout);
                await reading.WaitAsync(ExitTimeout);
                await errors.WaitAsync(ExitTimeout);
                if (OperatingSystem.IsLinux())
                {
                    Assert.Equal(128 + 9, process.ExitCode); // killed by SIGKILL
                }

                Assert.True(run._unexpected.Count == 0, "Unexpected host output: " + string.Join(" | ", run._unexpected));
                return run;
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync().WaitAsync(ExitTimeout);
                }
            }
        }

        private static async Task FailIfExitedAsync(Process process, Task<string> errors, string when)
        {
            if (process.HasExited)
            {
                string message = await errors.WaitAsync(ExitTimeout);
                Assert.Fail($"The crash host exited by itself {when} (exit code {process.ExitCode}):\n{message}");
            }
        }

        /// <summary>The host beside this test assembly (the test project references it, so the build puts it here).</summary>
        private static string HostPath()
        {
            string dll = Path.Combine(AppContext.BaseDirectory, "RecEngine.CrashHost.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the solution first: the crash host is not built.", dll);
        }

        /// <summary>Reads whole lines to the end of the output; a line cut short by the kill (none is expected) would be ignored.</summary>
        private async Task ReadAsync(Stream stream, int round)
        {
            var line = new StringBuilder();
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                foreach (byte b in buffer.AsSpan(0, read))
                {
                    if (b != '\n')
                    {
                        line.Append((char)b);
                        continue;
                    }

                    Take(line.ToString(), round);
                    line.Clear();
                }
            }
        }

        private void Take(string line, int round)
        {
            if (line == "ready")
            {
                _ready.TrySetResult();
            }
            else if (line.StartsWith("ack ", StringComparison.Ordinal) && long.TryParse(line.AsSpan(4), CultureInfo.InvariantCulture, out long index))
            {
                (int r, int submitter, long position) = CrashWorkload.Decode(index);

                // Each submitter acknowledges its events in order.
                if (r != round || position != Acknowledged[submitter])
                {
                    _unexpected.Add(line);
                    return;
                }

                Acknowledged[submitter]++;
            }
            else if (line == "snapshotting")
            {
                SnapshotsBegun++;
                _snapshotBegun.TrySetResult();
            }
            else if (line.StartsWith("snapshot ", StringComparison.Ordinal))
            {
                Snapshots++;
            }
            else
            {
                _unexpected.Add(line);
            }
        }
    }
}
