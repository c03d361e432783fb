namespace RecEngine.Kernels;

/// <summary>Where the rows a kernel visits start in a row-major matrix: contiguous rows or a gathered index list.</summary>
/// <remarks>Implemented by structs so that the generic kernels are specialised and the call is inlined.</remarks>
internal interface IRowOffsets
{
    /// <summary>Number of rows visited.</summary>
    int Count { get; }

    /// <summary>Offset (in floats) of the j-th visited row.</summary>
    nuint Offset(int j);
}

/// <summary>Rows 0 .. count-1 of a matrix with the given number of columns.</summary>
internal readonly struct ContiguousRows(int count, int columns) : IRowOffsets
{
    public int Count => count;

    public nuint Offset(int j) => (nuint)j * (nuint)columns;
}

/// <summary>The rows named by an index list. Construct through <see cref="Create"/>, which checks every index.</summary>
internal readonly ref struct GatheredRows : IRowOffsets
{
    private readonly ReadOnlySpan<int> _rows;
    private readonly int _columns;

    private GatheredRows(ReadOnlySpan<int> rows, int columns)
    {
        _rows = rows;
        _columns = columns;
    }

    public int Count => _rows.Length;

    public nuint Offset(int j) => (nuint)_rows[j] * (nuint)_columns;

    /// <summary>Checks that every index names a whole row of a matrix of <paramref name="matrixLength"/> floats.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative or past the last row.</exception>
    public static GatheredRows Create(ReadOnlySpan<int> rows, int columns, int matrixLength, string paramName)
    {
        int rowCount = columns == 0 ? int.MaxValue : matrixLength / columns;
        foreach (int row in rows)
        {
            if ((uint)row >= (uint)rowCount)
            {
                throw new ArgumentOutOfRangeException(paramName, row, $"Row {row} is outside a matrix of {rowCount} rows.");
            }
        }

        return new GatheredRows(rows, columns);
    }
}
