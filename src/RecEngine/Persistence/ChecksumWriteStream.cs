using RecEngine.Ingest;

namespace RecEngine.Persistence;

/// <summary>A write-only stream that passes bytes through to another stream and keeps the CRC-32C of everything written.</summary>
internal sealed class ChecksumWriteStream(Stream inner) : Stream
{
    private uint _state = Crc32C.Start;
    private long _written;

    /// <summary>The CRC-32C of every byte written so far.</summary>
    public uint Checksum => Crc32C.Finish(_state);

    /// <summary>The running CRC-32C state (before <see cref="Crc32C.Finish"/>), to append more bytes to.</summary>
    public uint State => _state;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _written;

    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _state = Crc32C.Append(_state, buffer);
        _written += buffer.Length;
        inner.Write(buffer);
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
