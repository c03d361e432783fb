using System.Runtime.InteropServices;
using RecEngine.Data;

namespace RecEngine.Persistence;

/// <summary>
/// Reads what <see cref="StateWriter"/> wrote, trusting nothing: every count is checked against the bytes left
/// before <c>end</c> (so a hostile header cannot make it allocate more than the input holds), every index against
/// its range and every float for finiteness. Each problem is an <see cref="InvalidDataException"/> that names the
/// source and what was wrong.
/// </summary>
internal sealed class StateReader : BinaryReader
{
    private readonly long _end;

    /// <param name="input">The stream, positioned at the state.</param>
    /// <param name="end">The stream position where the state ends.</param>
    /// <param name="source">How messages name the input, for example <c>Model file 'a.rmdl'</c>.</param>
    public StateReader(Stream input, long end, string source)
        : base(input, StateWriter.StrictUtf8, leaveOpen: true)
    {
        _end = end;
        Source = source;
    }

    /// <summary>How messages name the input.</summary>
    public string Source { get; }

    /// <summary>How deep the model being read is nested inside composites (0 for the saved model itself).</summary>
    public int Nesting { get; set; }

    /// <summary>Bytes left before the end of the state.</summary>
    public long Remaining => _end - BaseStream.Position;

    /// <summary>
    /// Reads a string written by <see cref="BinaryWriter.Write(string)"/> (a 7-bit encoded byte length, then strict
    /// UTF-8), refusing a malformed length or one longer than the bytes left, so it never reads past the state.
    /// </summary>
    public override string ReadString()
    {
        int length;
        try
        {
            length = Read7BitEncodedInt();
        }
        catch (FormatException)
        {
            throw Invalid("has a malformed string length.");
        }

        if (length < 0 || length > Remaining)
        {
            throw Invalid($"claims a string of {length} bytes, more than its remaining {Remaining} bytes.");
        }

        if (length == 0)
        {
            return "";
        }

        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            BaseStream.ReadExactly(buffer, 0, length);
            return StateWriter.StrictUtf8.GetString(buffer, 0, length);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>An exception naming the source, for the caller to throw.</summary>
    public InvalidDataException Invalid(string problem) => new($"{Source} {problem}");

    /// <summary>Reads a count of elements of at least <paramref name="bytesEach"/> bytes; refuses one the rest cannot hold.</summary>
    public int ReadCount(int bytesEach, string what)
    {
        int count = ReadInt32();
        long left = Remaining;
        if (count < 0 || (long)count * bytesEach > left)
        {
            throw Invalid($"claims {count} {what}s, more than its remaining {left} bytes can hold.");
        }

        return count;
    }

    /// <summary>Checks that <paramref name="index"/> is in <c>[0, count)</c>.</summary>
    public void CheckIndex(int index, int count, string what)
    {
        if ((uint)index >= (uint)count)
        {
            throw Invalid($"has {what} {index} outside [0, {count}).");
        }
    }

    /// <summary>Reads <paramref name="count"/> values written without a count; the caller has checked the count.</summary>
    public T[] ReadValues<T>(int count)
        where T : unmanaged
    {
        if ((long)count * Marshal.SizeOf<T>() > Remaining)
        {
            throw Invalid($"ends before its {count} values.");
        }

        var array = new T[count];
        BaseStream.ReadExactly(MemoryMarshal.AsBytes(array.AsSpan()));
        return array;
    }

    /// <summary>Reads a count and that many values.</summary>
    public T[] ReadArray<T>(string what)
        where T : unmanaged => ReadValues<T>(ReadCount(Marshal.SizeOf<T>(), what));

    /// <summary>Reads a count and that many values, which must number exactly <paramref name="expected"/>.</summary>
    public T[] ReadArray<T>(int expected, string what)
        where T : unmanaged
    {
        T[] values = ReadArray<T>(what);
        return values.Length == expected ? values : throw Invalid($"has {values.Length} {what}s where {expected} belong.");
    }

    /// <summary>Reads floats (with their count, which must be <paramref name="expected"/>) that must all be finite.</summary>
    public float[] ReadFinite(int expected, string what)
    {
        float[] values = ReadArray<float>(expected, what);
        CheckFinite(values, what);
        return values;
    }

    /// <summary>Reads doubles (with their count, which must be <paramref name="expected"/>) that must all be finite.</summary>
    public double[] ReadFiniteDoubles(int expected, string what)
    {
        double[] values = ReadArray<double>(expected, what);
        foreach (double value in values)
        {
            if (!double.IsFinite(value))
            {
                throw Invalid($"has a non-finite {what} ({value}).");
            }
        }

        return values;
    }

    /// <summary>Checks that every value is finite.</summary>
    public void CheckFinite(ReadOnlySpan<float> values, string what)
    {
        int bad = IndexOfNonFinite(values);
        if (bad >= 0)
        {
            throw Invalid($"has a non-finite {what} ({values[bad]}) at position {bad}.");
        }
    }

    /// <summary>Reads a float that must be finite.</summary>
    public float ReadFiniteSingle(string what)
    {
        float value = ReadSingle();
        return float.IsFinite(value) ? value : throw Invalid($"has a non-finite {what} ({value}).");
    }

    /// <summary>Reads a double that must be finite.</summary>
    public double ReadFiniteDouble(string what)
    {
        double value = ReadDouble();
        return double.IsFinite(value) ? value : throw Invalid($"has a non-finite {what} ({value}).");
    }

    /// <summary>Reads a presence flag and a value (see <see cref="StateWriter.WriteOptional{T}"/>).</summary>
    public T? ReadOptional<T>()
        where T : unmanaged
    {
        bool present = ReadBoolean();
        T value = ReadValues<T>(1)[0];
        return present ? value : null;
    }

    /// <summary>Reads an enum value stored as an int and checks that it is defined.</summary>
    public TEnum ReadEnum<TEnum>(string what)
        where TEnum : struct, Enum
    {
        int raw = ReadInt32();
        TEnum value = System.Runtime.CompilerServices.Unsafe.BitCast<int, TEnum>(raw);
        return Enum.IsDefined(value) ? value : throw Invalid($"has an unknown {what} ({raw}).");
    }

    /// <summary>Reads an id list into a new map; ids must be non-empty and distinct.</summary>
    public IdMap ReadIds(string what)
    {
        // An id takes at least two bytes (its length and one character); the map grows as ids actually arrive.
        int count = ReadCount(2, what + " id");
        var ids = new IdMap(Math.Min(count, 1 << 16));
        for (int i = 0; i < count; i++)
        {
            string id = ReadString();
            if (id.Length == 0 || ids.GetOrAdd(id) != i)
            {
                throw Invalid($"has an empty or repeated {what} id at index {i}.");
            }
        }

        return ids;
    }

    /// <summary>Reads strings with their count.</summary>
    public string[] ReadStrings(string what)
    {
        int count = ReadCount(1, what);
        var strings = new List<string>(Math.Min(count, 1 << 10));
        for (int i = 0; i < count; i++)
        {
            strings.Add(ReadString());
        }

        return [.. strings];
    }

    /// <summary>
    /// Reads sparse rows that must number <paramref name="rows"/>, with offsets rising from 0 to the entry count,
    /// indices in <c>[0, columns)</c> (ascending within each row when <paramref name="ascending"/>) and finite values
    /// (when <paramref name="values"/>; otherwise none are stored and the rows have none).
    /// </summary>
    public SparseRows ReadRows(int rows, int columns, string what, bool ascending = true, bool values = true)
    {
        int count = ReadInt32();
        if (count != rows)
        {
            throw Invalid($"has {count} rows of {what} where {rows} belong.");
        }

        int[] offsets = ReadValues<int>(ReadCheckedLength(rows + 1L, what));
        int[] indices = ReadArray<int>(what + " index");
        float[] entries = values ? ReadValues<float>(indices.Length) : [];
        if (offsets[0] != 0 || offsets[rows] != indices.Length)
        {
            throw Invalid($"has {what} offsets that do not span its {indices.Length} entries.");
        }

        // Offsets that never fall, from 0 to the entry count, keep every row inside the entries; they are all checked
        // before any row is read, so one that rises past the end and falls back later never indexes outside them.
        for (int r = 0; r < rows; r++)
        {
            if (offsets[r + 1] < offsets[r])
            {
                throw Invalid($"has {what} offsets that fall at row {r}.");
            }
        }

        string label = what + " index";
        for (int r = 0; r < rows; r++)
        {
            int start = offsets[r], stop = offsets[r + 1];
            for (int e = start; e < stop; e++)
            {
                CheckIndex(indices[e], columns, label);
                if (ascending && e > start && indices[e] <= indices[e - 1])
                {
                    throw Invalid($"has {what} indices out of order in row {r}.");
                }
            }
        }

        CheckFinite(entries, what + " value");
        return new SparseRows(offsets, indices, entries);
    }

    /// <summary>Reads a matrix written by <see cref="StateWriter.WriteMatrix"/> of the given shape.</summary>
    public InteractionMatrix ReadMatrix(int rows, int columns, string what)
    {
        int stored = ReadInt32();
        if (stored != columns)
        {
            throw Invalid($"has a {what} matrix of {stored} columns where {columns} belong.");
        }

        SparseRows csr = ReadRows(rows, columns, what);
        return InteractionMatrix.FromCsr(rows, columns, csr.Offsets, csr.Indices, csr.Values);
    }

    /// <summary>Checks that the state was read to its end.</summary>
    public void CheckEnd()
    {
        if (Remaining != 0)
        {
            throw Invalid($"has {Remaining} unexpected bytes at the end of its state.");
        }
    }

    private int ReadCheckedLength(long length, string what)
    {
        if (length > int.MaxValue || length * sizeof(int) > Remaining)
        {
            throw Invalid($"claims {length - 1} rows of {what}, more than its remaining {Remaining} bytes can hold.");
        }

        return (int)length;
    }

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
