using System.Buffers.Binary;
using System.Text;
using RecEngine.Ingest;

namespace RecEngine.Tests.Reliability;

/// <summary>
/// Seeded damage for the fuzz tests: random bytes, and structured mutations of valid inputs (bit flips, truncation,
/// byte insertion and deletion, fields overwritten with huge or negative values, copied and swapped spans). Every
/// mutation is drawn from the <see cref="Random"/> it is given, so a case is replayed from its seed alone, and each
/// returns a description for the failure message.
/// </summary>
internal static class Mutations
{
    /// <summary>Values that a count, a length or an index field should never be trusted with.</summary>
    private static readonly long[] HostileValues =
    [
        int.MaxValue, int.MinValue, -1, 0, 1, 0x7FFF_FFF0, 1 << 30, 1 << 24, 0xFFFF, uint.MaxValue, long.MaxValue, long.MinValue, 1L << 40,
    ];

    /// <summary>Bytes that are never valid UTF-8 where they stand, or start a sequence that is then cut.</summary>
    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC3], [0xE2, 0x82], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80],
    ];

    /// <summary>Up to <paramref name="maxLength"/> random bytes (sometimes none).</summary>
    public static byte[] RandomBytes(Random random, int maxLength)
    {
        var bytes = new byte[random.Next(maxLength + 1)];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>A copy of <paramref name="valid"/> with one to three mutations of any kind applied.</summary>
    public static byte[] Mutate(byte[] valid, Random random, out string description)
    {
        byte[] bytes = valid;
        var what = new List<string>();
        int count = 1 + (random.Next(4) == 0 ? random.Next(1, 3) : 0);
        for (int m = 0; m < count; m++)
        {
            bytes = MutateOnce(bytes, random, out string one);
            what.Add(one);
        }

        description = string.Join("; ", what);
        return bytes;
    }

    /// <summary>
    /// A copy of <paramref name="bytes"/> with one mutation: a bit flip, a truncation, an insertion, a deletion, a
    /// hostile 32- or 64-bit value written over four or eight bytes, random bytes over a span, a span copied elsewhere,
    /// or invalid UTF-8 inserted.
    /// </summary>
    public static byte[] MutateOnce(byte[] bytes, Random random, out string description)
    {
        int length = bytes.Length;
        switch (random.Next(9))
        {
            case 0 when length > 0:
            {
                byte[] copy = (byte[])bytes.Clone();
                int at = random.Next(length), bit = random.Next(8);
                copy[at] ^= (byte)(1 << bit);
                description = $"bit {bit} of byte {at} flipped";
                return copy;
            }

            case 1:
            {
                int at = random.Next(length + 1);
                description = $"truncated to {at} of {length} bytes";
                return bytes[..at];
            }

            case 2:
            {
                int at = random.Next(length + 1);
                byte[] inserted = RandomBytes(random, random.Next(2) == 0 ? 4 : 64);
                description = $"{inserted.Length} random bytes inserted at {at}";
                return [.. bytes.AsSpan(0, at), .. inserted, .. bytes.AsSpan(at)];
            }

            case 3 when length > 0:
            {
                int at = random.Next(length);
                int removed = Math.Min(length - at, random.Next(2) == 0 ? random.Next(1, 5) : random.Next(1, 200));
                description = $"{removed} bytes deleted at {at}";
                return [.. bytes.AsSpan(0, at), .. bytes.AsSpan(at + removed)];
            }

            case 4 when length >= 4:
            {
                byte[] copy = (byte[])bytes.Clone();
                int at = random.Next(length - 3);
                int value = unchecked((int)HostileValues[random.Next(HostileValues.Length)]);
                BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(at), value);
                description = $"int32 {value} written at {at}";
                return copy;
            }

            case 5 when length >= 8:
            {
                byte[] copy = (byte[])bytes.Clone();
                int at = random.Next(length - 7);
                long value = HostileValues[random.Next(HostileValues.Length)];
                BinaryPrimitives.WriteInt64LittleEndian(copy.AsSpan(at), value);
                description = $"int64 {value} written at {at}";
                return copy;
            }

            case 6 when length > 0:
            {
                byte[] copy = (byte[])bytes.Clone();
                int at = random.Next(length);
                int span = Math.Min(length - at, random.Next(1, 33));
                random.NextBytes(copy.AsSpan(at, span));
                description = $"{span} random bytes written at {at}";
                return copy;
            }

            case 7 when length > 1:
            {
                int from = random.Next(length);
                int span = Math.Min(length - from, random.Next(1, 65));
                int to = random.Next(length + 1);
                description = $"{span} bytes from {from} copied in at {to}";
                return [.. bytes.AsSpan(0, to), .. bytes.AsSpan(from, span), .. bytes.AsSpan(to)];
            }

            default:
            {
                int at = random.Next(length + 1);
                byte[] invalid = InvalidUtf8[random.Next(InvalidUtf8.Length)];
                description = $"invalid UTF-8 {Convert.ToHexString(invalid)} inserted at {at}";
                return [.. bytes.AsSpan(0, at), .. invalid, .. bytes.AsSpan(at)];
            }
        }
    }

    /// <summary>The body of a one-frame state file (between the 16-byte header and the 4-byte checksum).</summary>
    public static byte[] FrameBody(byte[] frame) => frame[16..^4];

    /// <summary>
    /// A frame with <paramref name="frame"/>'s magic and version around <paramref name="body"/>, with a length and a
    /// checksum that match it: damage a checksum would catch, handed to the parser as a hostile writer would.
    /// </summary>
    public static byte[] Reframe(byte[] frame, byte[] body)
    {
        var result = new byte[16 + body.Length + 4];
        frame.AsSpan(0, 8).CopyTo(result);
        BinaryPrimitives.WriteInt64LittleEndian(result.AsSpan(8), body.Length);
        body.CopyTo(result.AsSpan(16));
        uint state = Crc32C.Append(Crc32C.Append(Crc32C.Start, body), result.AsSpan(8, 8));
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(16 + body.Length), Crc32C.Finish(state));
        return result;
    }

    /// <summary>
    /// A damaged copy of the state file <paramref name="frame"/>: three cases in four mutate the body and seal it again
    /// (so the parser sees the damage), the others damage the file as it is (so the frame checks see it).
    /// </summary>
    public static byte[] MutateFrame(byte[] frame, Random random, out string description)
    {
        if (random.Next(4) == 0)
        {
            byte[] raw = Mutate(frame, random, out string what);
            description = "file: " + what;
            return raw;
        }

        byte[] body = Mutate(FrameBody(frame), random, out string bodyWhat);
        description = "body, resealed: " + bodyWhat;
        return Reframe(frame, body);
    }

    /// <summary>A copy of <paramref name="frame"/> whose body is cut at <paramref name="at"/> bytes and sealed again.</summary>
    public static byte[] TruncateBody(byte[] frame, int at) => Reframe(frame, FrameBody(frame)[..at]);

    /// <summary>
    /// UTF-8 text of random lines that look like delimited data laid out as <paramref name="columns"/> says, one
    /// character per column: <c>u</c>/<c>i</c> a user/item id, <c>U</c>/<c>I</c> a numeric one, <c>v</c> a value,
    /// <c>t</c> Unix seconds, <c>T</c> an ISO 8601 time, <c>k</c> an event kind, <c>n</c> a title, <c>g</c> a genre
    /// list, <c>f</c> a genre flag, <c>s</c> free text. Values are drawn from small pools, so ids repeat and huge
    /// values meet; one line in eight has a random number of fields, one field in fifteen comes from another pool, and
    /// some hold invalid UTF-8, quotes, stray delimiters or odd line ends.
    /// </summary>
    public static byte[] RandomDelimitedText(Random random, string delimiter, int maxLines, string columns)
    {
        var text = new List<byte>();
        if (random.Next(8) == 0)
        {
            text.AddRange("\uFEFF"u8.ToArray());
        }

        int lines = random.Next(maxLines + 1);
        for (int line = 0; line < lines; line++)
        {
            int fields = random.Next(8) == 0 ? random.Next(0, columns.Length + 3) : columns.Length;
            for (int f = 0; f < fields; f++)
            {
                if (f > 0)
                {
                    text.AddRange(Encoding.UTF8.GetBytes(random.Next(40) == 0 ? "," : delimiter));
                }

                char column = f < columns.Length && random.Next(15) != 0 ? columns[f] : PoolNames[random.Next(PoolNames.Length)];
                text.AddRange(random.Next(40) == 0 ? InvalidUtf8[random.Next(InvalidUtf8.Length)] : Encoding.UTF8.GetBytes(Pick(random, column)));
            }

            text.AddRange(random.Next(6) switch
            {
                0 => "\r\n"u8.ToArray(),
                1 when line == lines - 1 => [],
                2 when random.Next(4) == 0 => "\r"u8.ToArray(),
                _ => "\n"u8.ToArray(),
            });
        }

        return [.. text];
    }

    private const string PoolNames = "uiUIvtTkngfs";

    private static string Pick(Random random, char column)
    {
        string[] pool = column switch
        {
            'u' => ["u1", "u2", "u1", "u2", "7", "\"quoted\"", "\"a,b\"", " ", "", "é", "日本", "\"open"],
            'i' => ["i1", "i2", "i1", "i3", "42", "\"x\"\"y\"", "a\"b", " ", "", "\t"],
            'U' => ["1", "2", "3", "1", "196", "22", "186", "0", "007", "-1", "1a", ""],
            'I' => ["1", "3", "6", "242", "302", "377", "661", "1193", "3408", "9", "0", "x", ""],
            'v' => ["1", "5", "3.5", "-2", "0", "-0", "1e38", "3.4e38", "3.4e38", "-3.4e38", "1e39", "1e-45", "NaN", "Infinity", "-Infinity", "1,5", "0x10", " 4 ", "+7", ""],
            't' => ["881250949", "0", "-5", "253402300799", "253402300800", "-62135596800", "-62135596801", "9223372036854775807", "1.5", ""],
            'T' => ["2024-05-01", "2024-05-01T12:30:00Z", "2024-05-01 14:30:00.250+02:00", "0001-01-01", "9999-12-31T23:59:59.9999999Z", "2024-13-01", "1700000000", ""],
            'k' => ["view", "click", "purchase", "rating", "add-to-cart", "purchase", "dislike", "", " "],
            'n' => ["Heat (1995)", "\"American President, The (1995)\"", "X (19a5)", "Y (0000)", "(1995)", "", " ", "\"open"],
            'g' => ["Drama", "Comedy|Drama", "(no genres listed)", "", "A||B", " | "],
            'f' => ["0", "1", "1", "0", "2", ""],
            _ => ["pixar", "\"funny, light\"", "", " ", "x\"y", "\"\"\"\""],
        };
        return pool[random.Next(pool.Length)];
    }
}
