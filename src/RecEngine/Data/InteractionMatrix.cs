namespace RecEngine.Data;

/// <summary>
/// An immutable sparse user x item matrix held twice: CSR (rows are users, for "what did this user touch") and
/// CSC (rows of the transpose are items, for "who touched this item"). Column indices are sorted within every row.
/// </summary>
/// <remarks>
/// <para>
/// Storage is three contiguous arrays per orientation (<c>offsets</c> of length rows + 1, <c>indices</c> and
/// <c>values</c> of length nnz), so a row is a pair of spans with no per-row object.
/// </para>
/// <para>
/// Construction is O(nnz + rows + columns) by stable counting sorts (plus an O(n log n) timestamp sort for
/// <see cref="DuplicatePolicy.LastWins"/>). Thread safety: immutable; safe for concurrent reads.
/// </para>
/// </remarks>
internal sealed class InteractionMatrix
{
    private readonly int[] _rowOffsets;
    private readonly int[] _columnIndices;
    private readonly float[] _values;
    private readonly int[] _columnOffsets;
    private readonly int[] _rowIndices;
    private readonly float[] _columnValues;

    private InteractionMatrix(int rows, int columns, int[] rowOffsets, int[] columnIndices, float[] values)
    {
        Rows = rows;
        Columns = columns;
        _rowOffsets = rowOffsets;
        _columnIndices = columnIndices;
        _values = values;
        (_columnOffsets, _rowIndices, _columnValues) = Transpose(rows, columns, rowOffsets, columnIndices, values);
    }

    /// <summary>The user-major (CSR) orientation: one sparse row per user.</summary>
    public SparseRows ByUser => new(_rowOffsets, _columnIndices, _values);

    /// <summary>The item-major (CSC) orientation: one sparse row per item.</summary>
    public SparseRows ByItem => new(_columnOffsets, _rowIndices, _columnValues);

    /// <summary>Number of rows (users).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (items).</summary>
    public int Columns { get; }

    /// <summary>Number of stored entries.</summary>
    public int NonZeroCount => _columnIndices.Length;

    /// <summary>CSR row offsets, length <see cref="Rows"/> + 1.</summary>
    public ReadOnlySpan<int> RowOffsets => _rowOffsets;

    /// <summary>CSR column indices, sorted within each row.</summary>
    public ReadOnlySpan<int> ColumnIndices => _columnIndices;

    /// <summary>CSR values, aligned with <see cref="ColumnIndices"/>.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>CSC column offsets, length <see cref="Columns"/> + 1.</summary>
    public ReadOnlySpan<int> ColumnOffsets => _columnOffsets;

    /// <summary>CSC row indices, sorted within each column.</summary>
    public ReadOnlySpan<int> RowIndices => _rowIndices;

    /// <summary>CSC values, aligned with <see cref="RowIndices"/>.</summary>
    public ReadOnlySpan<float> ColumnValues => _columnValues;

    /// <summary>Item indices of row <paramref name="row"/>, ascending.</summary>
    public ReadOnlySpan<int> RowColumns(int row) => _columnIndices.AsSpan(_rowOffsets[row], _rowOffsets[row + 1] - _rowOffsets[row]);

    /// <summary>Values of row <paramref name="row"/>, aligned with <see cref="RowColumns"/>.</summary>
    public ReadOnlySpan<float> RowValues(int row) => _values.AsSpan(_rowOffsets[row], _rowOffsets[row + 1] - _rowOffsets[row]);

    /// <summary>User indices of column <paramref name="column"/>, ascending.</summary>
    public ReadOnlySpan<int> ColumnRows(int column) => _rowIndices.AsSpan(_columnOffsets[column], _columnOffsets[column + 1] - _columnOffsets[column]);

    /// <summary>Values of column <paramref name="column"/>, aligned with <see cref="ColumnRows"/>.</summary>
    public ReadOnlySpan<float> ColumnValuesOf(int column) => _columnValues.AsSpan(_columnOffsets[column], _columnOffsets[column + 1] - _columnOffsets[column]);

    /// <summary>Number of entries in row <paramref name="row"/>.</summary>
    public int RowLength(int row) => _rowOffsets[row + 1] - _rowOffsets[row];

    /// <summary>Number of entries in column <paramref name="column"/>.</summary>
    public int ColumnLength(int column) => _columnOffsets[column + 1] - _columnOffsets[column];

    /// <summary>Whether row <paramref name="row"/> holds column <paramref name="column"/> (binary search).</summary>
    public bool Contains(int row, int column) => RowColumns(row).BinarySearch(column) >= 0;

    /// <summary>Builds the matrix of <paramref name="dataset"/> with <c>dataset.UserCount</c> rows and <c>dataset.ItemCount</c> columns.</summary>
    public static InteractionMatrix Build(InteractionDataset dataset, MatrixValues values = MatrixValues.Weight, DuplicatePolicy duplicates = DuplicatePolicy.Sum)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ReadOnlySpan<float> source = values switch
        {
            MatrixValues.Weight => dataset.Weights,
            MatrixValues.Value => dataset.Values,
            MatrixValues.One => default,
            _ => throw new ArgumentOutOfRangeException(nameof(values), values, "Unknown matrix value kind."),
        };
        int n = dataset.Count;

        // Order of interactions before the stable sorts: insertion order, or time order for LastWins so that
        // the last entry of each (user, item) run is the latest one.
        int[] order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        // With every value 1, which duplicate wins makes no difference: skip the time sort.
        if (duplicates == DuplicatePolicy.LastWins && values != MatrixValues.One)
        {
            long[] keys = dataset.Timestamps.ToArray();
            Array.Sort(keys, order);
            SortEqualKeyRunsByIndex(keys, order);
        }
        else if (duplicates is not (DuplicatePolicy.Sum or DuplicatePolicy.LastWins))
        {
            throw new ArgumentOutOfRangeException(nameof(duplicates), duplicates, "Unknown duplicate policy.");
        }

        // LSD: stable by item, then stable by user => sorted by (user, item, previous order).
        order = StableCountingSort(order, dataset.ItemIndices, dataset.ItemCount);
        order = StableCountingSort(order, dataset.UserIndices, dataset.UserCount);

        ReadOnlySpan<int> users = dataset.UserIndices;
        ReadOnlySpan<int> items = dataset.ItemIndices;
        var rowOffsets = new int[dataset.UserCount + 1];
        var columns = new List<int>(n);
        var entries = new List<float>(n);
        int k = 0;
        while (k < n)
        {
            int row = users[order[k]];
            int column = items[order[k]];
            float value = source.IsEmpty ? 1f : source[order[k]];
            k++;
            while (k < n && users[order[k]] == row && items[order[k]] == column)
            {
                float next = source.IsEmpty ? 1f : source[order[k]];
                value = duplicates == DuplicatePolicy.Sum ? value + next : next;
                k++;
            }

            columns.Add(column);
            entries.Add(value);
            rowOffsets[row + 1]++;
        }

        for (int r = 0; r < dataset.UserCount; r++)
        {
            rowOffsets[r + 1] += rowOffsets[r];
        }

        return new InteractionMatrix(dataset.UserCount, dataset.ItemCount, rowOffsets, [.. columns], [.. entries]);
    }

    /// <summary>Builds a matrix directly from CSR arrays (validated). Used by tests and by snapshot loading.</summary>
    internal static InteractionMatrix FromCsr(int rows, int columns, int[] rowOffsets, int[] columnIndices, float[] values)
    {
        if (rowOffsets.Length != rows + 1 || rowOffsets[0] != 0 || rowOffsets[rows] != columnIndices.Length || values.Length != columnIndices.Length)
        {
            throw new ArgumentException("CSR arrays are inconsistent with the matrix shape.", nameof(rowOffsets));
        }

        for (int r = 0; r < rows; r++)
        {
            for (int k = rowOffsets[r]; k < rowOffsets[r + 1]; k++)
            {
                if ((uint)columnIndices[k] >= (uint)columns || (k > rowOffsets[r] && columnIndices[k] <= columnIndices[k - 1]))
                {
                    throw new ArgumentException($"Column indices of row {r} must be ascending and in [0, {columns}).", nameof(columnIndices));
                }
            }
        }

        return new InteractionMatrix(rows, columns, rowOffsets, columnIndices, values);
    }

    private static void SortEqualKeyRunsByIndex(long[] keys, int[] order)
    {
        int start = 0;
        while (start < keys.Length)
        {
            int end = start + 1;
            while (end < keys.Length && keys[end] == keys[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                Array.Sort(order, start, end - start);
            }

            start = end;
        }
    }

    private static int[] StableCountingSort(int[] order, ReadOnlySpan<int> keys, int keyRange)
    {
        var starts = new int[keyRange + 1];
        foreach (int position in order)
        {
            starts[keys[position] + 1]++;
        }

        for (int i = 0; i < keyRange; i++)
        {
            starts[i + 1] += starts[i];
        }

        var sorted = new int[order.Length];
        foreach (int position in order)
        {
            sorted[starts[keys[position]]++] = position;
        }

        return sorted;
    }

    private static (int[] Offsets, int[] Indices, float[] Values) Transpose(int rows, int columns, int[] rowOffsets, int[] columnIndices, float[] values)
    {
        var offsets = new int[columns + 1];
        foreach (int c in columnIndices)
        {
            offsets[c + 1]++;
        }

        for (int c = 0; c < columns; c++)
        {
            offsets[c + 1] += offsets[c];
        }

        var next = offsets.AsSpan(0, columns).ToArray();
        var indices = new int[columnIndices.Length];
        var transposed = new float[columnIndices.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int k = rowOffsets[r]; k < rowOffsets[r + 1]; k++)
            {
                int slot = next[columnIndices[k]]++;
                indices[slot] = r;
                transposed[slot] = values[k];
            }
        }

        return (offsets, indices, transposed);
    }
}

/// <summary>
/// One orientation of an <see cref="InteractionMatrix"/> as its three arrays, for code that must hold them in a
/// closure (parallel loops). The arrays are shared with the matrix and must not be written.
/// </summary>
internal readonly record struct SparseRows(int[] Offsets, int[] Indices, float[] Values)
{
    /// <summary>Number of rows.</summary>
    public int Count => Offsets.Length - 1;

    /// <summary>Indices of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<int> IndicesOf(int row) => Indices.AsSpan(Offsets[row], Offsets[row + 1] - Offsets[row]);

    /// <summary>Values of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> ValuesOf(int row) => Values.AsSpan(Offsets[row], Offsets[row + 1] - Offsets[row]);

    /// <summary>The largest number of entries in one row (0 when there are no rows).</summary>
    public int MaxLength()
    {
        int max = 0;
        for (int row = 0; row < Count; row++)
        {
            max = Math.Max(max, Offsets[row + 1] - Offsets[row]);
        }

        return max;
    }
}
