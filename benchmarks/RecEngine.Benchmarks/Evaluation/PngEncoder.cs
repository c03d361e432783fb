using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace RecEngine.Benchmarks.Evaluation;

/// <summary>
/// Writes 8-bit RGB images as PNG (ISO/IEC 15948): signature, IHDR, one zlib-compressed IDAT with filter type 0 on
/// every scanline, IEND; each chunk with its CRC-32 (the ISO-HDLC polynomial PNG specifies).
/// </summary>
internal static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Writes <paramref name="rgb"/> (<paramref name="width"/> × <paramref name="height"/> pixels, 3 bytes each, row-major) to <paramref name="output"/>.</summary>
    public static void Write(Stream output, int width, int height, ReadOnlySpan<byte> rgb)
    {
        if (rgb.Length != width * height * 3)
        {
            throw new ArgumentException($"{rgb.Length} bytes are not {width} x {height} RGB pixels.", nameof(rgb));
        }

        output.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;   // bits per sample
        header[9] = 2;   // colour type: truecolour
        header[10] = 0;  // deflate
        header[11] = 0;  // adaptive filtering, filter type per line
        header[12] = 0;  // no interlace
        WriteChunk(output, "IHDR", header);

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (int y = 0; y < height; y++)
            {
                zlib.WriteByte(0);
                zlib.Write(rgb.Slice(y * width * 3, width * 3));
            }
        }

        WriteChunk(output, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(output, "IEND", []);
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        byte[] typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        uint crc = Update(Update(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(word, crc);
        output.Write(word);
    }

    private static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
