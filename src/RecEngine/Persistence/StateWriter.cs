using System.Runtime.InteropServices;
using System.Text;
using RecEngine.Data;

namespace RecEngine.Persistence;

/// <summary>
/// Writes saved state (little-endian, strict UTF-8 strings with a 7-bit encoded length prefix): the primitives of
/// <see cref="BinaryWriter"/> plus the shapes RecEngine stores — count-prefixed arrays of unmanaged values, id lists
/// and sparse rows. <see cref="StateReader"/> reads them back with every count and index checked.
/// </summary>
internal sealed class StateWriter : BinaryWriter
{
    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public StateWriter(Stream output)
        : base(output, StrictUtf8, leaveOpen: true)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("RecEngine state is written and read on little-endian processors only.");
        }
    }

    /// <summary>How deep the model being written is nested inside composites (0 for the saved model itself).</summary>
    public int Nesting { get; set; }

    /// <summary>Writes the values without a count (the reader knows it from elsewhere).</summary>
    public void WriteValues<T>(ReadOnlySpan<T> values)
        where T : unmanaged => Write(MemoryMarshal.AsBytes(values));

    /// <summary>Writes the count, then the values.</summary>
    public void WriteArray<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        Write(values.Length);
        WriteValues(values);
    }

    /// <summary>Writes the first <paramref name="count"/> ids of <paramref name="ids"/> (index order), with the count.</summary>
    public void WriteIds(IdMap ids, int count)
    {
        Write(count);
        for (int i = 0; i < count; i++)
        {
            Write(ids.GetId(i));
        }
    }

    /// <summary>Writes strings with their count.</summary>
    public void WriteStrings(IReadOnlyList<string> strings)
    {
        Write(strings.Count);
        foreach (string text in strings)
        {
            Write(text);
        }
    }

    /// <summary>Writes sparse rows: the row count, then offsets, indices and (when <paramref name="values"/>) values.</summary>
    public void WriteRows(SparseRows rows, bool values = true)
    {
        Write(rows.Count);
        WriteValues<int>(rows.Offsets);
        WriteArray<int>(rows.Indices);
        if (values)
        {
            WriteValues<float>(rows.Values.AsSpan(0, rows.Indices.Length));
        }
    }

    /// <summary>Writes a matrix as its shape and CSR rows (the reader rebuilds the columns).</summary>
    public void WriteMatrix(InteractionMatrix matrix)
    {
        Write(matrix.Columns);
        WriteRows(matrix.ByUser);
    }

    /// <summary>Writes a nullable value as a presence flag and the value (or the default).</summary>
    public void WriteOptional<T>(T? value)
        where T : unmanaged
    {
        Write(value.HasValue);
        T actual = value.GetValueOrDefault();
        WriteValues(new ReadOnlySpan<T>(in actual));
    }
}
