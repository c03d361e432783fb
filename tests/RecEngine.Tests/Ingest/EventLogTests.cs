using System.Text;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Tests.Data.Loading;

namespace RecEngine.Tests.Ingest;

public sealed class EventLogTests
{
    private static WeightedEvent Event(long sequence, string user = "u", string item = "i", float value = 1f, string kind = "view", float weight = 1f) =>
        new(new Interaction(user, item, value, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + sequence), new EventKind(kind)), weight, sequence);

    private static List<WeightedEvent> Replay(string directory, out LogRecovery recovery, EventLogOptions? options = null)
    {
        var events = new List<WeightedEvent>();
        using EventLog log = EventLog.Open(directory, options ?? new EventLogOptions(), batch => events.AddRange(batch), out recovery);
        return events;
    }

    /// <summary>
    /// Writes <paramref name="count"/> records in batches of three; returns, for each record, the file offset where its
    /// batch ends (a record is replayed only when its whole batch is intact).
    /// </summary>
    private static long[] Write(string directory, int count)
    {
        var ends = new long[count];
        using EventLog log = EventLog.Open(directory, new EventLogOptions(), null, out _);
        for (int start = 0; start < count; start += 3)
        {
            WeightedEvent[] batch = [.. Enumerable.Range(start, Math.Min(3, count - start)).Select(i => Event(i + 1, $"user-{i}", $"item-{i % 7}", i, i % 2 == 0 ? "view" : "purchase", i * 2f))];
            log.Append(batch);
            foreach (WeightedEvent e in batch)
            {
                ends[e.Sequence - 1] = log.Length;
            }
        }

        return ends;
    }

    [Fact]
    public void Crc32C_MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
    }

    [Fact]
    public void AppendThenOpen_ReplaysEveryRecordExactly_AndAppendingGoesOn()
    {
        using var folder = new TempFolder();
        WeightedEvent[] first = [Event(1, "ünïcödé-user", "商品", 4.5f, "rating", 4.5f), Event(2, "u", "i", -1f, "dislike", -1f), Event(7, "u", "j")];
        using (EventLog log = EventLog.Open(folder.Path, new EventLogOptions(), null, out LogRecovery fresh))
        {
            Assert.Equal(0, fresh.Records);
            log.Append(first.AsSpan(0, 2));
            log.Append(first.AsSpan(2));
            Assert.Equal(7, log.LastSequence);
            Assert.Throws<ArgumentException>(() => log.Append([Event(7)]));
        }

        List<WeightedEvent> replayed = Replay(folder.Path, out LogRecovery recovery);
        Assert.Equal(first, replayed);
        Assert.Equal(new LogRecovery(3, 7, 0, null), recovery);

        using (EventLog log = EventLog.Open(folder.Path, new EventLogOptions { Fsync = FsyncPolicy.None }, null, out _))
        {
            Assert.Equal(7, log.LastSequence);
            log.Append([Event(8)]);
        }

        Assert.Equal([.. first, Event(8)], Replay(folder.Path, out _));
    }

    [Fact]
    public void ABatchThatCannotBeEncoded_LeavesNothingOfItInTheLog()
    {
        using var folder = new TempFolder();
        using (EventLog log = EventLog.Open(folder.Path, new EventLogOptions(), null, out _))
        {
            log.Append([Event(1)]);
            string huge = new('x', EventLog.MaximumPayload);
            Assert.Throws<ArgumentException>(() => log.Append([Event(2), Event(3, user: huge)]));
            Assert.Equal(1, log.LastSequence);
            log.Append([Event(2)]);
        }

        Assert.Equal([1L, 2L], Replay(folder.Path, out LogRecovery recovery).Select(e => e.Sequence));
        Assert.Null(recovery.Problem);
    }

    [Fact]
    public void TornTail_AtEveryByteOfTheLastBatch_CutsTheWholeBatch()
    {
        using var folder = new TempFolder();
        long[] ends = Write(folder.Path, 6);
        string path = Path.Combine(folder.Path, EventLog.FileName);
        byte[] whole = File.ReadAllBytes(path);

        // Cut inside the last batch of three records, at every byte: the replay stops before the cut batch.
        for (long cut = ends[2] + 1; cut < whole.Length; cut++)
        {
            File.WriteAllBytes(path, whole[..(int)cut]);
            List<WeightedEvent> replayed = Replay(folder.Path, out LogRecovery recovery);
            int complete = ends.Count(end => end <= cut);
            Assert.Equal(complete, replayed.Count);
            Assert.Equal(cut - ends[complete - 1], recovery.DiscardedBytes);
            Assert.Equal(recovery.DiscardedBytes == 0, recovery.Problem is null);
            Assert.Equal(ends[complete - 1], new FileInfo(path).Length);
        }

        // After a cut the log appends normally.
        File.WriteAllBytes(path, whole[..(int)(ends[2] + 50)]);
        using (EventLog log = EventLog.Open(folder.Path, new EventLogOptions(), null, out _))
        {
            log.Append([Event(100)]);
        }

        Assert.Equal([1L, 2, 3, 100], Replay(folder.Path, out _).Select(e => e.Sequence));
    }

    [Fact]
    public void Replay_HandsOverTheBatchesAsAppended_AndCutsABatchTornBetweenRecords()
    {
        using var folder = new TempFolder();
        var sizes = new long[4];
        using (EventLog log = EventLog.Open(folder.Path, new EventLogOptions(), null, out _))
        {
            long sequence = 0;
            foreach (int size in new[] { 3, 1, 5, 4 })
            {
                log.Append([.. Enumerable.Range(0, size).Select(_ => Event(++sequence))]);
                sizes[Array.IndexOf(sizes, 0L)] = log.Length;
            }
        }

        var batches = new List<long[]>();
        using (EventLog.Open(folder.Path, new EventLogOptions(), batch => batches.Add([.. batch.ToArray().Select(e => e.Sequence)]), out _))
        {
        }

        Assert.Equal([[1L, 2, 3], [4L], [5L, 6, 7, 8, 9], [10L, 11, 12, 13]], batches);

        // A crash after two of the last batch's four records: the batch was never acknowledged and is cut whole.
        string path = Path.Combine(folder.Path, EventLog.FileName);
        long recordLength = (sizes[3] - sizes[2]) / 4;
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..(int)(sizes[2] + (2 * recordLength))]);
        List<WeightedEvent> replayed = Replay(folder.Path, out LogRecovery recovery);
        Assert.Equal(9, replayed.Count);
        Assert.Equal(9, recovery.LastSequence);
        Assert.Equal(2 * recordLength, recovery.DiscardedBytes);
        Assert.StartsWith("incomplete batch", recovery.Problem);
        Assert.Equal(sizes[2], new FileInfo(path).Length);
    }

    [Fact]
    public void FlippedBit_StopsTheReplayBeforeTheBatchOfThatRecord()
    {
        using var folder = new TempFolder();
        long[] ends = Write(folder.Path, 8);
        string path = Path.Combine(folder.Path, EventLog.FileName);
        byte[] whole = File.ReadAllBytes(path);
        var random = new Random(4);
        for (int trial = 0; trial < 200; trial++)
        {
            int position = random.Next(8, whole.Length);
            byte[] damaged = (byte[])whole.Clone();
            damaged[position] ^= (byte)(1 << random.Next(8));
            File.WriteAllBytes(path, damaged);

            int record = ends.Count(end => end <= position);
            List<WeightedEvent> replayed = Replay(folder.Path, out LogRecovery recovery);
            Assert.Equal(record, replayed.Count);
            Assert.NotNull(recovery.Problem);
        }
    }

    [Fact]
    public void HostileLength_IsRejectedWithoutAllocating()
    {
        using var folder = new TempFolder();
        Write(folder.Path, 1);
        string path = Path.Combine(folder.Path, EventLog.FileName);
        using (var file = new FileStream(path, FileMode.Append))
        {
            file.Write([0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0]);
            file.Write(new byte[64]);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        List<WeightedEvent> replayed = Replay(folder.Path, out LogRecovery recovery);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Single(replayed);
        Assert.Contains("out of range", recovery.Problem);
        Assert.Equal(72, recovery.DiscardedBytes);
    }

    [Fact]
    public void ForeignOrNewerFiles_AreRefusedWithAClearMessage()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, EventLog.FileName);
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("user,item,rating\n1,2,3\n"));
        Assert.Contains("not a RecEngine event log", Assert.Throws<InvalidDataException>(() => Replay(folder.Path, out _)).Message);

        File.WriteAllBytes(path, [(byte)'R', (byte)'L', (byte)'O', (byte)'G', 9, 0, 0, 0]);
        Assert.Contains("format version 9", Assert.Throws<InvalidDataException>(() => Replay(folder.Path, out _)).Message);

        // A torn file header (a crash while creating the log) starts the log afresh.
        File.WriteAllBytes(path, [(byte)'R', (byte)'L']);
        Assert.Empty(Replay(folder.Path, out LogRecovery recovery));
        Assert.Equal(2, recovery.DiscardedBytes);
    }

    [Fact]
    public void Options_Validate()
    {
        using var folder = new TempFolder();
        Assert.Equal("FsyncInterval", Assert.Throws<ArgumentOutOfRangeException>(() => EventLog.Open(folder.Path, new EventLogOptions { FsyncInterval = TimeSpan.Zero }, null, out _)).ParamName);
        Assert.Equal("Fsync", Assert.Throws<ArgumentOutOfRangeException>(() => EventLog.Open(folder.Path, new EventLogOptions { Fsync = (FsyncPolicy)5 }, null, out _)).ParamName);
    }
}
