using System.Buffers.Binary;
using System.Text;
using RecEngine.Ingest;

namespace RecEngine.Persistence;

/// <summary>
/// The envelope of every RecEngine state file and stream: a 4-byte magic, the format version (u32), the body length
/// (i64), the body, and the CRC-32C of the body followed by the 8 length bytes (u32). All little-endian.
/// </summary>
/// <remarks>
/// The length lets a frame sit inside a larger stream and be read without reading past it. The reader refuses a
/// foreign magic and another format version by name before anything else, and verifies the checksum over the whole
/// body before it parses any of it, so damage is reported as damage rather than as a strange value. A seekable input
/// is checksummed in place and parsed from where it is; any other is buffered (as far as bytes actually arrive, so
/// a hostile length cannot allocate more than the input holds).
/// </remarks>
internal static class StateFrame
{
    /// <summary>Bytes before the body: magic, version, length.</summary>
    public const int HeaderLength = 16;

    private const string OtherVersionKey = "RecEngine.FormatVersion";

    /// <summary>Whether <paramref name="error"/> from <see cref="Read{T}(Stream, ReadOnlySpan{byte}, uint, uint, string, string, Func{StateReader, uint, T})"/> says the input is of another format version (not damaged).</summary>
    public static bool IsOtherVersion(Exception error) => error is InvalidDataException && error.Data.Contains(OtherVersionKey);

    /// <summary>Writes one frame whose body <paramref name="body"/> writes; returns the bytes written.</summary>
    public static long Write(Stream destination, ReadOnlySpan<byte> magic, uint version, Action<StateWriter> body)
    {
        if (!destination.CanSeek)
        {
            using var buffer = new MemoryStream();
            long length = Write(buffer, magic, version, body);
            buffer.Position = 0;
            buffer.CopyTo(destination);
            return length;
        }

        long start = destination.Position;
        Span<byte> header = stackalloc byte[HeaderLength];
        magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], version);
        destination.Write(header);
        var checksummed = new ChecksumWriteStream(destination);
        using (var writer = new StateWriter(checksummed))
        {
            try
            {
                body(writer);
            }
            catch (EncoderFallbackException e)
            {
                throw new ArgumentException("An id or name is not well-formed UTF-16 (it holds an unpaired surrogate), so it cannot be saved; the destination holds an incomplete frame.", e);
            }
        }

        long bodyLength = checksummed.Length;
        Span<byte> lengthBytes = header.Slice(8, 8);
        BinaryPrimitives.WriteInt64LittleEndian(lengthBytes, bodyLength);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32C.Finish(Crc32C.Append(checksummed.State, lengthBytes)));
        long end = destination.Position;
        destination.Position = start + 8;
        destination.Write(lengthBytes);
        destination.Position = end;
        destination.Write(crc);
        return end + crc.Length - start;
    }

    /// <summary>
    /// Reads the frame at the input's position, checks it, parses its body with <paramref name="parse"/> (which must
    /// read the body exactly), and leaves the input just after the frame.
    /// </summary>
    /// <param name="input">The input.</param>
    /// <param name="magic">The magic the frame must start with.</param>
    /// <param name="version">The only format version accepted.</param>
    /// <param name="source">How messages name the input, for example <c>Model file 'a.rmdl'</c>.</param>
    /// <param name="kind">What the frame holds, for the message on a foreign magic, for example <c>model file</c>.</param>
    /// <param name="parse">Parses the body.</param>
    /// <exception cref="InvalidDataException">The input is not such a frame, is damaged or truncated, or is of another version.</exception>
    public static T Read<T>(Stream input, ReadOnlySpan<byte> magic, uint version, string source, string kind, Func<StateReader, T> parse) =>
        Read(input, magic, version, version, source, kind, (reader, _) => parse(reader));

    /// <summary>
    /// Reads a frame as <see cref="Read{T}(Stream, ReadOnlySpan{byte}, uint, string, string, Func{StateReader, T})"/>
    /// does, accepting any format version from <paramref name="oldest"/> to <paramref name="newest"/>, which
    /// <paramref name="parse"/> is given.
    /// </summary>
    public static T Read<T>(Stream input, ReadOnlySpan<byte> magic, uint oldest, uint newest, string source, string kind, Func<StateReader, uint, T> parse)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("RecEngine state is written and read on little-endian processors only.");
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        int got = input.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false);
        if (got < magic.Length || !header[..magic.Length].SequenceEqual(magic))
        {
            throw got < magic.Length && header[..got].SequenceEqual(magic[..got])
                ? new InvalidDataException($"{source} is truncated ({got} bytes).")
                : new InvalidDataException($"{source} is not a RecEngine {kind} (no {Encoding.ASCII.GetString(magic)} header).");
        }

        if (got < HeaderLength)
        {
            throw new InvalidDataException($"{source} is truncated ({got} bytes).");
        }

        uint found = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (found < oldest || found > newest)
        {
            string reads = oldest == newest ? $"version {newest} only" : $"versions {oldest} to {newest}";
            throw new InvalidDataException($"{source} has format version {found}; this version of RecEngine reads {reads}.")
            {
                Data = { [OtherVersionKey] = found },
            };
        }

        long length = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        ReadOnlySpan<byte> lengthBytes = header.Slice(8, 8);
        if (length < 0)
        {
            throw new InvalidDataException($"{source} is damaged: it gives a negative length ({length}).");
        }

        if (input.CanSeek)
        {
            long start = input.Position;
            long available = input.Length - start;
            if (length > available - 4)
            {
                throw new InvalidDataException($"{source} is truncated: its header gives {length} bytes of state and {available} bytes remain.");
            }

            VerifyInPlace(input, length, lengthBytes, source);
            input.Position = start;
            T result = Parse(new StateReader(input, start + length, source), reader => parse(reader, found));
            input.Position = start + length + 4;
            return result;
        }

        byte[] body = Buffer(input, length, source);
        Span<byte> stored = stackalloc byte[4];
        if (input.ReadAtLeast(stored, 4, throwOnEndOfStream: false) < 4)
        {
            throw new InvalidDataException($"{source} is truncated: it ends before its checksum.");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(stored) != Crc32C.Finish(Crc32C.Append(Crc32C.Append(Crc32C.Start, body), lengthBytes)))
        {
            throw Damaged(source);
        }

        using var memory = new MemoryStream(body, writable: false);
        return Parse(new StateReader(memory, body.Length, source), reader => parse(reader, found));
    }

    /// <summary>
    /// Writes a file atomically: into a temporary file beside it, forced to storage, then renamed over
    /// <paramref name="path"/>, so readers see the old file or the complete new one. Returns the file's length.
    /// </summary>
    /// <exception cref="IOException">The file cannot be written; the temporary file is removed and any old file stays.</exception>
    public static long WriteFile(string path, Action<Stream> write)
    {
        string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        long bytes;
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16))
            {
                write(file);
                file.Flush(flushToDisk: true);
                bytes = file.Length;
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        return bytes;
    }

    private static T Parse<T>(StateReader reader, Func<StateReader, T> parse)
    {
        using (reader)
        {
            try
            {
                T result = parse(reader);
                reader.CheckEnd();
                return result;
            }
            catch (Exception e) when (e is EndOfStreamException or DecoderFallbackException or ArgumentException or OverflowException)
            {
                throw new InvalidDataException($"{reader.Source} is malformed: {e.Message}", e);
            }
        }
    }

    private static void VerifyInPlace(Stream input, long length, ReadOnlySpan<byte> lengthBytes, string source)
    {
        byte[] buffer = new byte[(int)Math.Min(1 << 16, Math.Max(length, 4))];
        uint state = Crc32C.Start;
        long remaining = length;
        while (remaining > 0)
        {
            int read = input.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (read == 0)
            {
                throw new InvalidDataException($"{source} ended while being read.");
            }

            state = Crc32C.Append(state, buffer.AsSpan(0, read));
            remaining -= read;
        }

        input.ReadExactly(buffer.AsSpan(0, 4));
        if (BinaryPrimitives.ReadUInt32LittleEndian(buffer) != Crc32C.Finish(Crc32C.Append(state, lengthBytes)))
        {
            throw Damaged(source);
        }
    }

    /// <summary>Reads <paramref name="length"/> bytes, growing the buffer only as bytes arrive.</summary>
    private static byte[] Buffer(Stream input, long length, string source)
    {
        if (length > Array.MaxLength)
        {
            throw new InvalidDataException($"{source} gives {length} bytes of state, more than a stream that cannot seek can be read into memory.");
        }

        byte[] buffer = new byte[(int)Math.Min(length, 1 << 20)];
        int filled = 0;
        while (filled < length)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(length, Math.Min(Array.MaxLength, 2L * buffer.Length)));
            }

            int read = input.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                throw new InvalidDataException($"{source} is truncated: its header gives {length} bytes of state and only {filled} follow.");
            }

            filled += read;
        }

        return buffer;
    }

    private static InvalidDataException Damaged(string source) =>
        new($"{source} is damaged: its checksum does not match its contents.");
}
