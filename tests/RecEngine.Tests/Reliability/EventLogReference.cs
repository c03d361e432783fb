using System.Buffers.Binary;
using System.Text;

namespace RecEngine.Tests.Reliability;

/// <summary>
/// The event log read from its documented format alone (<c>docs/ingest.md</c>), without the engine's reader or its
/// CRC code: the independent account of what a recovery must keep, which is every record of every complete batch
/// before the first record that is torn or damaged, and nothing else.
/// </summary>
internal static class EventLogReference
{
    private const int FileHeaderLength = 8;
    private const int RecordHeaderLength = 8;
    private const int MinimumPayload = 36;
    private const int MaximumPayload = 1 << 20;
    private const uint EndOfBatch = 1u << 31;

    /// <summary>One logged event, as the record holds it.</summary>
    public readonly record struct Record(long Sequence, long TimestampMilliseconds, float Value, float Weight, string UserId, string ItemId, string Kind);

    /// <summary>What the log holds.</summary>
    /// <param name="Committed">The records of the complete batches, in order.</param>
    /// <param name="Batches">How many complete batches.</param>
    /// <param name="TailBytes">Bytes after the last complete batch (a torn batch, a torn record, or damage).</param>
    /// <param name="TornBatchRecords">Whole, valid records after the last complete batch: a batch the writer did not finish.</param>
    public sealed record Contents(IReadOnlyList<Record> Committed, int Batches, long TailBytes, int TornBatchRecords);

    /// <summary>Reads the log at <paramref name="path"/> (an absent or headerless file holds nothing).</summary>
    /// <exception cref="InvalidDataException">The file is not a version-1 event log.</exception>
    public static Contents Read(string path)
    {
        byte[] file = File.Exists(path) ? File.ReadAllBytes(path) : [];
        if (file.Length < FileHeaderLength)
        {
            return new Contents([], 0, file.Length, 0);
        }

        if (!file.AsSpan(0, 4).SequenceEqual("RLOG"u8) || BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(4)) != 1)
        {
            throw new InvalidDataException($"'{path}' is not a version-1 event log.");
        }

        var committed = new List<Record>();
        var pending = new List<Record>();
        int batches = 0;
        long committedEnd = FileHeaderLength;
        long at = FileHeaderLength;
        while (file.Length - at >= RecordHeaderLength)
        {
            uint word = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((int)at));
            uint size = word & ~EndOfBatch;
            if (size is < MinimumPayload or > MaximumPayload || file.Length - at - RecordHeaderLength < size)
            {
                break;
            }

            ReadOnlySpan<byte> payload = file.AsSpan((int)(at + RecordHeaderLength), (int)size);
            uint checksum = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((int)at + 4));
            if (Crc32C(file.AsSpan((int)at, 4), payload) != checksum || !TryDecode(payload, out Record record))
            {
                break;
            }

            pending.Add(record);
            at += RecordHeaderLength + size;
            if ((word & EndOfBatch) != 0)
            {
                committed.AddRange(pending);
                pending.Clear();
                batches++;
                committedEnd = at;
            }
        }

        return new Contents(committed, batches, file.Length - committedEnd, pending.Count);
    }

    private static bool TryDecode(ReadOnlySpan<byte> payload, out Record record)
    {
        record = default;
        int at = 24;
        var texts = new string[3];
        for (int i = 0; i < texts.Length; i++)
        {
            if (payload.Length - at < 4)
            {
                return false;
            }

            int count = BinaryPrimitives.ReadInt32LittleEndian(payload[at..]);
            at += 4;
            if (count < 0 || payload.Length - at < count)
            {
                return false;
            }

            texts[i] = Encoding.UTF8.GetString(payload.Slice(at, count));
            at += count;
        }

        if (at != payload.Length)
        {
            return false;
        }

        record = new Record(
            BinaryPrimitives.ReadInt64LittleEndian(payload), BinaryPrimitives.ReadInt64LittleEndian(payload[8..]),
            BinaryPrimitives.ReadSingleLittleEndian(payload[16..]), BinaryPrimitives.ReadSingleLittleEndian(payload[20..]),
            texts[0], texts[1], texts[2]);
        return true;
    }

    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of two spans, bit by bit: the specification, not the fast path.</summary>
    private static uint Crc32C(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second) => ~Update(Update(0xFFFFFFFFu, first), second);

    private static uint Update(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return crc;
    }
}
