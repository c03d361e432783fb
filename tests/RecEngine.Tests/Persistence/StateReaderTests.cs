using RecEngine.Data;
using RecEngine.Persistence;

namespace RecEngine.Tests.Persistence;

public sealed class StateReaderTests
{
    /// <summary>Sparse rows written field by field, as a hostile writer may: the row count, the offsets, the indices with their count, the values.</summary>
    private static StateReader Rows(int[] offsets, int[] indices)
    {
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(offsets.Length - 1);
            Array.ForEach(offsets, writer.Write);
            writer.Write(indices.Length);
            Array.ForEach(indices, writer.Write);
            Array.ForEach(indices, _ => writer.Write(1f));
        }

        stream.Position = 0;
        return new StateReader(stream, stream.Length, "State");
    }

    [Fact]
    public void ReadRows_OffsetsThatRisePastTheEntriesThenFall_AreRefusedAsInvalidData()
    {
        // Row 0 claims entries [0, 1000) of only 3; the fall at row 1 comes after the damage would have been read.
        using StateReader reader = Rows([0, 1_000, 3], [0, 1, 2]);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => reader.ReadRows(2, 5, "neighbour"));

        Assert.Contains("neighbour offsets", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRows_ValidRows_AreReadAsWritten()
    {
        using StateReader reader = Rows([0, 2, 2, 3], [1, 4, 0]);

        SparseRows rows = reader.ReadRows(3, 5, "neighbour");

        Assert.Equal([0, 2, 2, 3], rows.Offsets);
        Assert.Equal([1, 4, 0], rows.Indices);
        Assert.Equal([1f, 1f, 1f], rows.Values);
        reader.CheckEnd();
    }
}
