using System.Buffers.Binary;
using RecEngine.Ingest;

namespace RecEngine.Tests.TestUtilities;

/// <summary>Edits state files the way a hostile or future writer would: change a field, then make the checksum valid again.</summary>
internal static class Frames
{
    /// <summary>Bytes before a frame's body: magic, version, body length.</summary>
    public const int HeaderLength = 16;

    /// <summary>Recomputes the trailing CRC-32C of a one-frame file: over the body, then the 8 length bytes.</summary>
    public static void Reseal(byte[] bytes)
    {
        uint state = Crc32C.Append(Crc32C.Start, bytes.AsSpan(HeaderLength, bytes.Length - HeaderLength - 4));
        state = Crc32C.Append(state, bytes.AsSpan(8, 8));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32C.Finish(state));
    }
}
