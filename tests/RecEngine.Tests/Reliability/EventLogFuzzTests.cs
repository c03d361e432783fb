using System.Buffers.Binary;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Tests.Data.Loading;
using Xunit.Abstractions;

namespace RecEngine.Tests.Reliability;

/// <summary>
/// Fuzz-style tests of the event log's recovery (<see cref="EventLog.Open"/>): a valid log is damaged (bit flips,
/// truncation, insertion, deletion, hostile length words, random tails) and opened. Opening never throws but for a
/// damaged file header (<see cref="InvalidDataException"/>, documented); it replays exactly what
/// <see cref="EventLogReference"/> reads from the format alone, which is a prefix of the batches written, cuts the
/// rest, and appending then goes on.
/// </summary>
public sealed class EventLogFuzzTests(ITestOutputHelper output)
{
    private const int FileHeaderLength = 8;

    private static readonly string[] Users = ["u1", "ünïcödé", "商品-user", "a somewhat longer user id with spaces", "u5"];
    private static readonly string[] Kinds = ["view", "click", "purchase", "rating", "dislike"];

    /// <summary>Thirty batches of one to six events, every field varied.</summary>
    private static List<WeightedEvent[]> Batches()
    {
        var random = new Random(5);
        var batches = new List<WeightedEvent[]>();
        long sequence = 0;
        for (int b = 0; b < 30; b++)
        {
            var batch = new WeightedEvent[random.Next(1, 7)];
            for (int e = 0; e < batch.Length; e++)
            {
                sequence += random.Next(1, 3);
                float value = random.Next(4) == 0 ? -1f : (float)Math.Round(random.NextDouble() * 5, 1);
                var interaction = new Interaction(
                    Users[random.Next(Users.Length)], $"item-{random.Next(40)}", value,
                    DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + random.Next(1_000_000)), new EventKind(Kinds[random.Next(Kinds.Length)]));
                batch[e] = new WeightedEvent(interaction, value * 2, sequence);
            }

            batches.Add(batch);
        }

        return batches;
    }

    [Fact]
    public void DamagedLogs_ReplayExactlyAPrefixOfTheBatchesWritten_CutTheRest_AndAppendingGoesOn()
    {
        using var folder = new TempFolder();
        string directory = Path.Combine(folder.Path, "log");
        string path = Path.Combine(directory, EventLog.FileName);
        List<WeightedEvent[]> written = Batches();
        using (EventLog log = EventLog.Open(directory, new EventLogOptions { Fsync = FsyncPolicy.None }, null, out _))
        {
            foreach (WeightedEvent[] batch in written)
            {
                log.Append(batch);
            }
        }

        byte[] valid = File.ReadAllBytes(path);
        var options = new EventLogOptions { Fsync = FsyncPolicy.None };
        var tally = new FuzzTally($"Event log ({valid.Length} bytes, {written.Count} batches)", typeof(InvalidDataException));
        int cutTails = 0, appended = 0;
        long recoveredBatches = 0;
        long worstAllocation = 0;
        for (int i = 0; i < 600; i++)
        {
            int seed = 500_000 + i;
            var random = new Random(seed);
            (byte[] input, string description) = (i % 10) switch
            {
                0 => (Mutations.RandomBytes(random, 64), "random bytes"),
                1 => ([.. valid.AsSpan(0, FileHeaderLength), .. Mutations.RandomBytes(random, 300)], "the file header, then random bytes"),
                2 => (HostileLength(valid, random, out string what), what),
                3 => ([.. valid, .. Mutations.RandomBytes(random, 100)], "random bytes appended"),
                _ => (Mutations.Mutate(valid, random, out string what), what),
            };

            File.WriteAllBytes(path, input);
            bool headerIntact = input.Length >= FileHeaderLength && input.AsSpan(0, 6).SequenceEqual(valid.AsSpan(0, 6));
            EventLogReference.Contents expected = headerIntact ? EventLogReference.Read(path) : new EventLogReference.Contents([], 0, input.Length, 0);
            bool loaded = tally.Run(seed, description, () =>
            {
                var replayed = new List<WeightedEvent[]>();
                long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                LogRecovery recovery;
                using (EventLog.Open(directory, options, batch => replayed.Add(batch.ToArray()), out recovery))
                {
                }

                long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
                worstAllocation = Math.Max(worstAllocation, allocated);
                Assert.True(allocated <= (4L * input.Length) + (1 << 20), $"opening {input.Length} bytes allocated {allocated}");

                // What was replayed is a prefix of what was written, batch for batch, and all that the format holds.
                Assert.True(replayed.Count <= written.Count, $"{replayed.Count} batches replayed of {written.Count} written");
                for (int b = 0; b < replayed.Count; b++)
                {
                    Assert.True(replayed[b].SequenceEqual(written[b]), $"batch {b} replayed differs from the one written");
                }

                Assert.Equal(expected.Committed, replayed.SelectMany(batch => batch).Select(ToRecord));
                Assert.Equal(expected.Batches, replayed.Count);
                Assert.Equal(replayed.Sum(batch => batch.Length), recovery.Records);
                Assert.Equal(expected.TailBytes, recovery.DiscardedBytes);
                Assert.Equal(input.Length < FileHeaderLength ? FileHeaderLength : input.Length - expected.TailBytes, new FileInfo(path).Length);
                recoveredBatches += replayed.Count;
                cutTails += recovery.DiscardedBytes > 0 ? 1 : 0;

                // Appending after the cut tail goes on, and a reopening replays both.
                if (seed % 5 == 0)
                {
                    long last = replayed.Count == 0 ? 0 : replayed[^1][^1].Sequence;
                    WeightedEvent[] next = [new(new Interaction("next", "item", 1f, DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000), EventKind.View), 1f, last + 1)];
                    using (EventLog log = EventLog.Open(directory, options, null, out _))
                    {
                        log.Append(next);
                    }

                    var again = new List<WeightedEvent[]>();
                    using (EventLog.Open(directory, options, batch => again.Add(batch.ToArray()), out LogRecovery reopened))
                    {
                        Assert.Equal(0, reopened.DiscardedBytes);
                    }

                    Assert.Equal(replayed.Count + 1, again.Count);
                    Assert.True(again[^1].SequenceEqual(next) && again.Take(replayed.Count).Zip(replayed).All(p => p.First.SequenceEqual(p.Second)), "a reopened log replays the recovered batches and the appended one");
                    appended++;
                }
            });

            // Only a damaged file header is refused.
            Assert.True(loaded || !headerIntact, $"case seed {seed} ({description}): a log with an intact header was refused");
        }

        Assert.True(cutTails > tally.Cases / 2, $"{cutTails} of {tally.Cases} cases had a tail cut");
        output.WriteLine($"{tally}; {cutTails} tails cut, {recoveredBatches:N0} batches recovered in all, {appended} appends after a recovery; largest allocation of one open {worstAllocation:N0} bytes");
    }

    /// <summary>The valid log with the length word of one record (its batch flag kept) set to a hostile size.</summary>
    private static byte[] HostileLength(byte[] valid, Random random, out string description)
    {
        var starts = new List<int>();
        for (int at = FileHeaderLength; at + 8 <= valid.Length;)
        {
            starts.Add(at);
            at += 8 + (int)(BinaryPrimitives.ReadUInt32LittleEndian(valid.AsSpan(at)) & 0x7FFF_FFFF);
        }

        byte[] copy = (byte[])valid.Clone();
        int record = starts[random.Next(starts.Count)];
        uint flag = BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(record)) & 0x8000_0000;
        uint[] sizes = [0, 1, EventLog.MinimumPayload - 1, EventLog.MaximumPayload, EventLog.MaximumPayload + 1, 0x7FFF_FFFF, (uint)valid.Length];
        uint size = sizes[random.Next(sizes.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(record), size | flag);
        description = $"record at byte {record} given length {size}";
        return copy;
    }

    private static EventLogReference.Record ToRecord(WeightedEvent e) =>
        new(e.Sequence, e.Event.Timestamp.ToUnixTimeMilliseconds(), e.Event.Value, e.Weight, e.Event.UserId, e.Event.ItemId, e.Event.Kind.Name);
}
