using System.Buffers.Binary;
using System.Numerics;

namespace RecEngine.Ingest;

/// <summary>
/// CRC-32C (Castagnoli, the checksum of iSCSI, ext4 and many logs): initial value and final XOR 0xFFFFFFFF,
/// reflected polynomial 0x82F63B78. Uses the processor's CRC32 instruction through <see cref="BitOperations.Crc32C(uint, ulong)"/>
/// where there is one, 8 bytes per step.
/// </summary>
internal static class Crc32C
{
    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Start, data));

    /// <summary>The running state before any data.</summary>
    public const uint Start = 0xFFFFFFFFu;

    /// <summary>The running state after <paramref name="data"/> follows what <paramref name="state"/> covers.</summary>
    public static uint Append(uint state, ReadOnlySpan<byte> data)
    {
        uint crc = state;
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
        }

        for (; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, data[i]);
        }

        return crc;
    }

    /// <summary>The checksum of everything a running state covers.</summary>
    public static uint Finish(uint state) => ~state;
}
