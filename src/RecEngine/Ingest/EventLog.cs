using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using RecEngine.Data;

namespace RecEngine.Ingest;

/// <summary>What opening a log found.</summary>
/// <param name="Records">Valid records read (and passed to the replay callback).</param>
/// <param name="LastSequence">The sequence of the last valid record, or 0.</param>
/// <param name="DiscardedBytes">Bytes cut from the end: a torn or corrupt record and everything after it.</param>
/// <param name="Problem">Why bytes were discarded, or <see langword="null"/>.</param>
internal sealed record LogRecovery(long Records, long LastSequence, long DiscardedBytes, string? Problem);

/// <summary>
/// The append-only event log (write-ahead log) of the ingest pipeline: one file of checksummed records, each an
/// accepted event with its weight and sequence. On open, every valid record is replayed in order; the first torn
/// or corrupt record and everything after it are cut off, so a half-written record is never applied.
/// </summary>
/// <remarks>
/// <para>
/// <b>Format</b> (little-endian): an 8-byte file header, the magic <c>RLOG</c>, a format version (1) and two reserved
/// bytes; then records of <c>u32 payload length, u32 CRC-32C, payload</c>, where the top bit of the length word
/// marks the last record of an appended batch and the checksum covers the length word and the payload. The payload is
/// <c>i64 sequence, i64 timestamp (Unix milliseconds), f32 value, f32 weight</c> and three strings (user id,
/// item id, kind name), each an <c>i32</c> byte count and UTF-8. A record is valid when its length is within
/// [<see cref="MinimumPayload"/>, <see cref="MaximumPayload"/>] (so a hostile length never causes a huge
/// allocation), it lies wholly inside the file, its checksum matches, its strings are valid UTF-8 within the
/// payload, its numbers are finite and its sequence is above the previous one.
/// </para>
/// <para>
/// <b>Batches</b>: replay hands over whole batches, exactly as they were appended (so a model replays the micro-batches
/// it applied and reaches the same state). Records after the last complete batch (a batch torn by a crash, whose
/// submissions were never acknowledged) are cut off with the damaged tail: a batch is replayed whole or not at all.
/// </para>
/// <para>
/// <b>Durability</b>: see <see cref="FsyncPolicy"/>. Every append is handed to the operating system before
/// <see cref="Append"/> returns, so a killed process loses nothing appended. Timestamps keep millisecond
/// precision. One writer at a time.
/// </para>
/// </remarks>
internal sealed class EventLog : IDisposable
{
    public const string FileName = "events.log";

    public const int MinimumPayload = 8 + 8 + 4 + 4 + (3 * 4);

    public const int MaximumPayload = 1 << 20;

    private const uint Magic = 0x474F4C52; // "RLOG"
    private const ushort Version = 1;
    private const int FileHeaderLength = 8;
    private const int RecordHeaderLength = 8;
    private const uint EndOfBatch = 1u << 31;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private FileStream _file;
    private readonly EventLogOptions _options;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private long _lastFsync;
    private long _lastSequence;
    private bool _failed;

    private EventLog(FileStream file, EventLogOptions options, long lastSequence)
    {
        _file = file;
        _options = options;
        _lastSequence = lastSequence;
        _lastFsync = Stopwatch.GetTimestamp();
    }

    /// <summary>When the log forces its writes to storage.</summary>
    public FsyncPolicy Policy => _options.Fsync;

    /// <summary>The sequence of the last record in the log, or 0.</summary>
    public long LastSequence => _lastSequence;

    /// <summary>The log's length in bytes.</summary>
    public long Length => _file.Length;

    /// <summary>
    /// Opens (or creates) the log in <paramref name="directory"/>, passes every complete batch of valid records to
    /// <paramref name="replay"/> in order, cuts off a torn or corrupt tail, and returns the log ready to append.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not an event log, or was written by a newer format version.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static EventLog Open(string directory, EventLogOptions options, Action<ReadOnlySpan<WeightedEvent>>? replay, out LogRecovery recovery)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        options = new EventLogOptions { Fsync = options.Fsync, FsyncInterval = options.FsyncInterval };
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName);
        using (var reading = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 1 << 16))
        {
            recovery = Recover(reading, path, replay, cutDamagedTail: true);
        }

        // Appends go straight to the operating system (no buffer in the stream), so a failed append leaves nothing
        // behind that a later write could flush.
        var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        file.Seek(0, SeekOrigin.End);
        return new EventLog(file, options, recovery.LastSequence);
    }

    /// <summary>
    /// Appends a batch of events with increasing sequences, then forces it to storage as the policy says. When the
    /// write or the forced flush fails, the batch is cut off again, so a failed append is never replayed.
    /// </summary>
    /// <exception cref="ArgumentException">A sequence is not above the last one, or an encoded record exceeds <see cref="MaximumPayload"/>.</exception>
    /// <exception cref="IOException">The write failed (the batch is not in the log), or an earlier failure could not be undone.</exception>
    public void Append(ReadOnlySpan<WeightedEvent> batch)
    {
        _buffer.ResetWrittenCount();
        long last = _lastSequence;
        for (int i = 0; i < batch.Length; i++)
        {
            WeightedEvent e = batch[i];
            if (e.Sequence <= last)
            {
                throw new ArgumentException($"Sequence {e.Sequence} is not above the log's last sequence {last}.", nameof(batch));
            }

            Encode(e, i == batch.Length - 1, _buffer);
            last = e.Sequence;
        }

        if (_failed)
        {
            throw new IOException("An earlier append to the event log failed and could not be undone; reopen the log to recover.");
        }

        long start = _file.Position;
        try
        {
            _file.Write(_buffer.WrittenSpan);
            bool force = _options.Fsync switch
            {
                FsyncPolicy.PerBatch => true,
                FsyncPolicy.Interval => Stopwatch.GetElapsedTime(_lastFsync) >= _options.FsyncInterval,
                _ => false,
            };
            if (force)
            {
                _file.Flush(flushToDisk: true);
                _lastFsync = Stopwatch.GetTimestamp();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Undo the partial or unforced batch, so its records are never replayed: the caller reports them lost.
            try
            {
                _file.SetLength(start);
                _file.Position = start;
            }
            catch (Exception undo) when (undo is IOException or UnauthorizedAccessException)
            {
                _failed = true;
            }

            throw;
        }

        _lastSequence = last;
    }

    /// <summary>
    /// Rewrites the log without the events <paramref name="remove"/> selects (erasure), atomically: the kept records
    /// go to a temporary file beside the log, in their batches and order (a batch whose last record is removed ends at
    /// its last kept one; a batch with none kept disappears), which is forced to storage and renamed over the log;
    /// appends go on into the new file. A failure before the rename leaves the log as it was. Not concurrent with
    /// <see cref="Append"/>: the caller holds appends back.
    /// </summary>
    /// <returns>How many records were removed; with none, the log is left as it was.</returns>
    /// <exception cref="IOException">The log could not be read or rewritten; it holds what it held before.</exception>
    public long Rewrite(Func<WeightedEvent, bool> remove)
    {
        ArgumentNullException.ThrowIfNull(remove);
        if (_failed)
        {
            throw new IOException("An earlier append to the event log failed and could not be undone; reopen the log to recover.");
        }

        string path = _file.Name;
        string temporary = path + ".rewrite.tmp";
        long removed = 0;
        _file.Flush(flushToDisk: true);
        try
        {
            using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            using (var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1 << 16))
            {
                output.Write(FileHeader());
                var kept = new List<WeightedEvent>();
                Recover(input, path, batch =>
                {
                    kept.Clear();
                    foreach (WeightedEvent e in batch)
                    {
                        if (remove(e))
                        {
                            removed++;
                        }
                        else
                        {
                            kept.Add(e);
                        }
                    }

                    _buffer.ResetWrittenCount();
                    for (int i = 0; i < kept.Count; i++)
                    {
                        Encode(kept[i], i == kept.Count - 1, _buffer);
                    }

                    output.Write(_buffer.WrittenSpan);
                }, cutDamagedTail: false);
                output.Flush(flushToDisk: true);
            }

            if (removed == 0)
            {
                File.Delete(temporary);
                return 0;
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw e as IOException ?? new IOException($"The event log '{path}' could not be rewritten.", e);
        }

        // The old handle still points at the replaced file: append to the new one from now on.
        FileStream previous = _file;
        try
        {
            _file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
            _file.Seek(0, SeekOrigin.End);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _failed = true;
            throw new IOException($"The event log '{path}' was rewritten but could not be reopened; reopen the log to recover.", e);
        }
        finally
        {
            if (!ReferenceEquals(previous, _file))
            {
                previous.Dispose();
            }
        }

        return removed;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary file is overwritten by the next rewrite.
        }
    }

    private static byte[] FileHeader()
    {
        var header = new byte[FileHeaderLength];
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), Version);
        return header;
    }

    /// <summary>Forces everything appended to stable storage and closes the file.</summary>
    public void Dispose()
    {
        try
        {
            if (!_failed)
            {
                _file.Flush(flushToDisk: true);
            }
        }
        finally
        {
            _file.Dispose();
        }
    }

    private static LogRecovery Recover(FileStream file, string path, Action<ReadOnlySpan<WeightedEvent>>? replay, bool cutDamagedTail)
    {
        Span<byte> header = stackalloc byte[FileHeaderLength];
        if (file.Length < FileHeaderLength)
        {
            // A new log, or one whose creation was torn: start it afresh.
            long torn = file.Length;
            if (!cutDamagedTail)
            {
                return new LogRecovery(0, 0, torn, torn > 0 ? "torn file header" : null);
            }

            file.SetLength(0);
            file.Write(FileHeader());
            file.Flush(flushToDisk: true);
            return new LogRecovery(0, 0, torn, torn > 0 ? "torn file header" : null);
        }

        file.ReadExactly(header);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic)
        {
            throw new InvalidDataException($"'{path}' is not a RecEngine event log (bad magic number).");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        if (version != Version)
        {
            throw new InvalidDataException($"'{path}' has event log format version {version}; this version of RecEngine reads version {Version}.");
        }

        long records = 0;
        long lastSequence = 0;
        long valid = FileHeaderLength;
        long committed = FileHeaderLength;
        var batch = new List<WeightedEvent>();
        long length = file.Length;
        string? problem = null;
        byte[] payload = ArrayPool<byte>.Shared.Rent(4096);
        Span<byte> recordHeader = stackalloc byte[RecordHeaderLength];
        try
        {
            while (valid < length)
            {
                if (length - valid < RecordHeaderLength)
                {
                    problem = $"torn record header at byte {valid}";
                    break;
                }

                file.ReadExactly(recordHeader);
                uint word = BinaryPrimitives.ReadUInt32LittleEndian(recordHeader);
                uint size = word & ~EndOfBatch;
                uint checksum = BinaryPrimitives.ReadUInt32LittleEndian(recordHeader[4..]);
                if (size is < MinimumPayload or > MaximumPayload)
                {
                    problem = $"record length {size} out of range at byte {valid}";
                    break;
                }

                if (length - valid - RecordHeaderLength < size)
                {
                    problem = $"torn record at byte {valid}";
                    break;
                }

                if (payload.Length < size)
                {
                    ArrayPool<byte>.Shared.Return(payload);
                    payload = ArrayPool<byte>.Shared.Rent((int)size);
                }

                Span<byte> body = payload.AsSpan(0, (int)size);
                file.ReadExactly(body);
                if (Checksum(recordHeader[..4], body) != checksum)
                {
                    problem = $"checksum mismatch at byte {valid}";
                    break;
                }

                long previous = batch.Count > 0 ? batch[^1].Sequence : lastSequence;
                if (!TryDecode(body, out WeightedEvent e) || e.Sequence <= previous)
                {
                    problem = $"malformed record at byte {valid}";
                    break;
                }

                batch.Add(e);
                valid += RecordHeaderLength + size;
                if ((word & EndOfBatch) != 0)
                {
                    replay?.Invoke(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch));
                    records += batch.Count;
                    lastSequence = e.Sequence;
                    committed = valid;
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                problem ??= $"incomplete batch at byte {committed}";
            }

            valid = committed;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }

        long discarded = length - valid;
        if (discarded > 0 && cutDamagedTail)
        {
            file.SetLength(valid);
            file.Flush(flushToDisk: true);
        }

        return new LogRecovery(records, lastSequence, discarded, problem);
    }

    /// <summary>The CRC-32C of the length word (with the batch flag) followed by the payload.</summary>
    private static uint Checksum(ReadOnlySpan<byte> lengthWord, ReadOnlySpan<byte> payload) =>
        Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Start, lengthWord), payload));

    private static void Encode(in WeightedEvent e, bool endsBatch, ArrayBufferWriter<byte> output)
    {
        Interaction interaction = e.Event;
        string kind = interaction.Kind.Name;
        if (string.IsNullOrEmpty(interaction.UserId) || string.IsNullOrEmpty(interaction.ItemId))
        {
            throw new ArgumentException($"The event of sequence {e.Sequence} has an empty id.", nameof(e));
        }

        int size = MinimumPayload + StrictUtf8.GetByteCount(interaction.UserId) + StrictUtf8.GetByteCount(interaction.ItemId) + StrictUtf8.GetByteCount(kind);
        if (size > MaximumPayload)
        {
            throw new ArgumentException($"The event of sequence {e.Sequence} encodes to {size} bytes; a record holds at most {MaximumPayload}.", nameof(e));
        }

        Span<byte> record = output.GetSpan(RecordHeaderLength + size)[..(RecordHeaderLength + size)];
        Span<byte> body = record[RecordHeaderLength..];
        BinaryPrimitives.WriteInt64LittleEndian(body, e.Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(body[8..], interaction.Timestamp.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteSingleLittleEndian(body[16..], interaction.Value);
        BinaryPrimitives.WriteSingleLittleEndian(body[20..], e.Weight);
        int at = 24;
        foreach (string text in (ReadOnlySpan<string>)[interaction.UserId, interaction.ItemId, kind])
        {
            int count = StrictUtf8.GetBytes(text, body[(at + 4)..]);
            BinaryPrimitives.WriteInt32LittleEndian(body[at..], count);
            at += 4 + count;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)size | (endsBatch ? EndOfBatch : 0));
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], Checksum(record[..4], body));
        output.Advance(record.Length);
    }

    private static bool TryDecode(ReadOnlySpan<byte> body, out WeightedEvent e)
    {
        e = default;
        long sequence = BinaryPrimitives.ReadInt64LittleEndian(body);
        long milliseconds = BinaryPrimitives.ReadInt64LittleEndian(body[8..]);
        float value = BinaryPrimitives.ReadSingleLittleEndian(body[16..]);
        float weight = BinaryPrimitives.ReadSingleLittleEndian(body[20..]);
        if (sequence <= 0 || !float.IsFinite(value) || !float.IsFinite(weight)
            || milliseconds < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        Span<string> texts = ["", "", ""];
        int at = 24;
        for (int t = 0; t < texts.Length; t++)
        {
            if (body.Length - at < 4)
            {
                return false;
            }

            int count = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
            if (count < 1 || count > body.Length - at - 4)
            {
                return false;
            }

            try
            {
                texts[t] = StrictUtf8.GetString(body.Slice(at + 4, count));
            }
            catch (DecoderFallbackException)
            {
                return false;
            }

            at += 4 + count;
        }

        if (at != body.Length || string.IsNullOrWhiteSpace(texts[2]))
        {
            return false;
        }

        var interaction = new Interaction(texts[0], texts[1], value, DateTimeOffset.FromUnixTimeMilliseconds(milliseconds), new EventKind(texts[2]));
        e = new WeightedEvent(interaction, weight, sequence);
        return true;
    }
}
