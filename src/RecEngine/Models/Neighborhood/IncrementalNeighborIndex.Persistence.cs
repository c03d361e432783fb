using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RecEngine.Data;
using RecEngine.Persistence;

namespace RecEngine.Models.Neighborhood;

/// <summary>
/// Saving and restoring the index as contiguous arrays, so that a restore is a bulk read of what
/// <see cref="Build"/> would compute again from every co-occurrence (O(Σ n²) over the columns).
/// </summary>
/// <remarks>
/// <para>
/// <b>Layout</b> (little-endian; "rows" as <see cref="StateWriter.WriteRows"/> writes them): i32 measure, f32
/// shrinkage, i32 K, i32 list capacity (K + slack), i32 row count, i32 column count; the entries by row (rows); the
/// row sums (i32 counts, f64 sums, f64 squares per row), then the column sums alike; i32 pair count and the pair
/// statistics the measure reads, one array per statistic (i32 counts always; f64 Σab for every measure but Jaccard;
/// f64 Σa² and Σb² for Pearson and adjusted cosine; f64 Σa and Σb for Pearson); per row the capacity of its pair
/// table (i32, 0 or a power of two) and its key count (i32), then i32 total capacity and every table's raw entries, empty
/// ones included (i64 each: key · 2³² + slot, or −1), so a table is read back as it was, without hashing; per row its list length (i32) and whether its list holds every candidate (u8), then the
/// lists' neighbours (i32) and similarities (f32) row after row.
/// </para>
/// <para>
/// The entries by column, the compact copies of each list's last entry and the <see cref="PairSums.Listed"/> bits
/// follow from the rest and are rebuilt. Statistics a measure does not read stay zero in a restored index (they are
/// never read for it, whatever events come). About 12 bytes per pair for cosine, dot product and Jaccard (8 for
/// Jaccard), 28 for adjusted cosine and 44 for Pearson, plus the tables: 8 bytes per entry, at least 13 and at most 27 per pair (they are 30% to 60% full).
/// </para>
/// </remarks>
internal sealed partial class IncrementalNeighborIndex
{
    private const int MaxTableCapacity = 1 << 30;

    /// <summary>The bytes <see cref="WriteState"/> writes.</summary>
    public long StateLength()
    {
        long entries = 0, listed = 0, keys = 0;
        for (int r = 0; r < _rowCount; r++)
        {
            entries += _rows[r].Count;
            listed += _lengths[r];
            keys += _tables[r].Capacity;
        }

        return (6L * sizeof(int))
            + sizeof(int) + ((_rowCount + 1L) * sizeof(int)) + sizeof(int) + (entries * (sizeof(int) + sizeof(float)))
            + ((long)(_rowCount + _columnCount) * (sizeof(int) + (2 * sizeof(double))))
            + sizeof(int) + ((long)_pairCount * PairBytes(_measure))
            + (_rowCount * 2L * sizeof(int)) + sizeof(int) + (keys * sizeof(long))
            + (_rowCount * (sizeof(int) + 1L)) + (listed * (sizeof(int) + sizeof(float)));
    }

    /// <summary>Writes the index in the layout of the remarks. Writer side: not concurrently with <see cref="Apply"/>.</summary>
    public void WriteState(StateWriter writer)
    {
        writer.Write((int)_measure);
        writer.Write(_shrinkage);
        writer.Write(_k);
        writer.Write(_capacity);
        writer.Write(_rowCount);
        writer.Write(_columnCount);

        // The entries by row, in the layout of StateWriter.WriteRows.
        writer.Write(_rowCount);
        int entries = 0;
        writer.Write(0);
        for (int r = 0; r < _rowCount; r++)
        {
            entries += _rows[r].Count;
            writer.Write(entries);
        }

        writer.Write(entries);
        for (int r = 0; r < _rowCount; r++)
        {
            writer.WriteValues(_rows[r].Indices);
        }

        for (int r = 0; r < _rowCount; r++)
        {
            writer.WriteValues(_rows[r].Values);
        }

        WriteSums(writer, _rowSums.AsSpan(0, _rowCount));
        WriteSums(writer, _columnSums.AsSpan(0, _columnCount));

        writer.Write(_pairCount);
        ReadOnlySpan<PairSums> pairs = _pairs.AsSpan(0, _pairCount);
        WriteField<int, CountField>(writer, pairs);
        if (_measure != SimilarityMeasure.Jaccard)
        {
            WriteField<double, ProductField>(writer, pairs);
        }

        if (_measure is SimilarityMeasure.Pearson or SimilarityMeasure.AdjustedCosine)
        {
            WriteField<double, SquaresAField>(writer, pairs);
            WriteField<double, SquaresBField>(writer, pairs);
        }

        if (_measure == SimilarityMeasure.Pearson)
        {
            WriteField<double, SumAField>(writer, pairs);
            WriteField<double, SumBField>(writer, pairs);
        }

        int capacities = 0;
        for (int r = 0; r < _rowCount; r++)
        {
            writer.Write(_tables[r].Capacity);
            writer.Write(_tables[r].Count);
            capacities += _tables[r].Capacity;
        }

        writer.Write(capacities);
        for (int r = 0; r < _rowCount; r++)
        {
            writer.WriteValues(_tables[r].Entries);
        }

        for (int r = 0; r < _rowCount; r++)
        {
            writer.Write(_lengths[r]);
            writer.Write(_exhaustive[r]);
        }

        for (int r = 0; r < _rowCount; r++)
        {
            writer.WriteValues<int>(_neighbors.AsSpan(r * _capacity, _lengths[r]));
        }

        for (int r = 0; r < _rowCount; r++)
        {
            writer.WriteValues<float>(_similarities.AsSpan(r * _capacity, _lengths[r]));
        }
    }

    /// <summary>
    /// Reads an index that <see cref="WriteState"/> wrote; <see langword="null"/> when it was kept with another measure,
    /// shrinkage, K or slack (the caller builds the index afresh).
    /// </summary>
    /// <exception cref="InvalidDataException">The state is malformed: a count, index or slot out of range, a non-finite statistic, or tables and lists that do not fit each other.</exception>
    public static IncrementalNeighborIndex? ReadState(StateReader reader, SimilarityMeasure measure, float shrinkage, int neighbors, int slack, int maxRows, int maxColumns)
    {
        int savedMeasure = reader.ReadInt32();
        float savedShrinkage = reader.ReadSingle();
        int k = reader.ReadInt32();
        int capacity = reader.ReadInt32();
        if (savedMeasure != (int)measure || BitConverter.SingleToInt32Bits(savedShrinkage) != BitConverter.SingleToInt32Bits(shrinkage) || k != neighbors || capacity != neighbors + slack)
        {
            return null;
        }

        var index = new IncrementalNeighborIndex(measure, shrinkage, neighbors, slack);
        int rowCount = reader.ReadInt32();
        int columnCount = reader.ReadInt32();
        if (rowCount < 0 || rowCount > maxRows || columnCount < 0 || columnCount > maxColumns)
        {
            throw reader.Invalid($"has an index of {rowCount} rows and {columnCount} columns where at most {maxRows} and {maxColumns} belong.");
        }

        index.EnsureRows(rowCount);
        index.EnsureColumns(columnCount);
        SparseRows rows = reader.ReadRows(rowCount, columnCount, "index entry");
        SparseRows columns = InteractionMatrix.FromCsr(rowCount, columnCount, rows.Offsets, rows.Indices, rows.Values).ByItem;
        for (int r = 0; r < rowCount; r++)
        {
            index._rows[r] = new SortedEntries(rows.IndicesOf(r), rows.ValuesOf(r));
        }

        for (int c = 0; c < columnCount; c++)
        {
            index._columns[c] = new SortedEntries(columns.IndicesOf(c), columns.ValuesOf(c));
        }

        ReadSums(reader, index._rowSums.AsSpan(0, rowCount), rows, "row");
        ReadSums(reader, index._columnSums.AsSpan(0, columnCount), columns, "column");

        int pairCount = reader.ReadCount(PairBytes(measure), "pair");
        var pairs = new PairSums[Math.Max(16, pairCount)];
        Span<PairSums> restored = pairs.AsSpan(0, pairCount);
        ReadField<int, CountField>(reader, restored, "pair count");
        foreach (PairSums pair in restored)
        {
            if (pair.Count < 0)
            {
                throw reader.Invalid($"has a pair of {pair.Count} common entries.");
            }
        }

        if (measure != SimilarityMeasure.Jaccard)
        {
            ReadField<double, ProductField>(reader, restored, "pair product sum");
        }

        if (measure is SimilarityMeasure.Pearson or SimilarityMeasure.AdjustedCosine)
        {
            ReadField<double, SquaresAField>(reader, restored, "pair square sum");
            ReadField<double, SquaresBField>(reader, restored, "pair square sum");
        }

        if (measure == SimilarityMeasure.Pearson)
        {
            ReadField<double, SumAField>(reader, restored, "pair sum");
            ReadField<double, SumBField>(reader, restored, "pair sum");
        }

        index._pairs = pairs;
        index._pairCount = pairCount;
        ReadTables(reader, index);
        ReadLists(reader, index);
        return index;
    }

    private static int PairBytes(SimilarityMeasure measure) => measure switch
    {
        SimilarityMeasure.Jaccard => sizeof(int),
        SimilarityMeasure.AdjustedCosine => sizeof(int) + (3 * sizeof(double)),
        SimilarityMeasure.Pearson => sizeof(int) + (5 * sizeof(double)),
        _ => sizeof(int) + sizeof(double),
    };

    // Each of these loops runs once per load over millions of entries: compiled optimised at once rather than from
    // unoptimised code on the first (and only) call.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReadTables(StateReader reader, IncrementalNeighborIndex index)
    {
        int rowCount = index._rowCount;
        int pairCount = index._pairCount;
        var capacities = new int[rowCount];
        var counts = new int[rowCount];
        long expected = 0;
        for (int r = 0; r < rowCount; r++)
        {
            int capacity = reader.ReadInt32();
            int count = reader.ReadInt32();

            // A table at most 60% full always has an empty entry, where every lookup of a missing key stops.
            if (capacity < 0 || capacity > MaxTableCapacity || (capacity != 0 && (capacity < 8 || (capacity & (capacity - 1)) != 0))
                || count < 0 || count * 5L > capacity * 3L)
            {
                throw reader.Invalid($"has a pair table of {count} keys in {capacity} entries at row {r}.");
            }

            (capacities[r], counts[r]) = (capacity, count);
            expected += count;
        }

        int total = reader.ReadCount(sizeof(long), "pair table entry");
        if (total != capacities.Sum(c => (long)c) || expected != 2L * pairCount)
        {
            throw reader.Invalid($"has {total} pair table entries for tables of {expected} keys and {pairCount} pairs.");
        }

        // Each pair is the entry of both its rows, so every slot is named exactly twice.
        var references = new byte[pairCount];
        for (int r = 0; r < rowCount; r++)
        {
            long[]? entries = capacities[r] == 0 ? null : new long[capacities[r]];
            if (entries is not null)
            {
                reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(entries.AsSpan()));
            }

            int keys = 0;
            foreach (long entry in entries.AsSpan())
            {
                if (!PairTable.IsEntry(entry))
                {
                    continue;
                }

                int key = PairTable.KeyOf(entry);
                int slot = PairTable.SlotOf(entry);
                if ((uint)key >= (uint)rowCount || key == r || (uint)slot >= (uint)pairCount || ++references[slot] > 2)
                {
                    throw reader.Invalid($"has a pair table entry (row {key}, slot {slot}) at row {r} that is out of range, repeated or its own row.");
                }

                keys++;
            }

            if (keys != counts[r])
            {
                throw reader.Invalid($"has a pair table of {keys} keys at row {r} where it says {counts[r]}.");
            }

            index._tables[r] = PairTable.FromEntries(entries, keys);
        }
    }

    // Each of these loops runs once per load over millions of entries: compiled optimised at once rather than from
    // unoptimised code on the first (and only) call.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReadLists(StateReader reader, IncrementalNeighborIndex index)
    {
        int rowCount = index._rowCount;
        long listed = 0;
        for (int r = 0; r < rowCount; r++)
        {
            int length = reader.ReadInt32();
            byte exhaustive = reader.ReadByte();
            if ((uint)length > (uint)index._capacity || exhaustive > 1)
            {
                throw reader.Invalid($"has a neighbour list of {length} entries (exhaustive {exhaustive}) at row {r}, where at most {index._capacity} belong.");
            }

            index._lengths[r] = length;
            index._exhaustive[r] = exhaustive == 1;
            listed += length;
        }

        if (listed * (sizeof(int) + sizeof(float)) > reader.Remaining)
        {
            throw reader.Invalid($"ends before its {listed} neighbours.");
        }

        for (int r = 0; r < rowCount; r++)
        {
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(index._neighbors.AsSpan(r * index._capacity, index._lengths[r])));
        }

        for (int r = 0; r < rowCount; r++)
        {
            Span<float> similarities = index._similarities.AsSpan(r * index._capacity, index._lengths[r]);
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(similarities));
            reader.CheckFinite(similarities, "neighbour similarity");
            foreach (int member in index._neighbors.AsSpan(r * index._capacity, index._lengths[r]))
            {
                int slot = (uint)member < (uint)rowCount && member != r ? index._tables[r].Find(member) : -1;
                byte bit = (byte)(r < member ? 1 : 2);
                if (slot < 0 || (index._pairs[slot].Listed & bit) != 0)
                {
                    throw reader.Invalid($"lists neighbour {member} of row {r}, which is not paired with it or listed twice.");
                }

                index._pairs[slot].Listed |= bit;
            }

            index.UpdateLast(r);
        }
    }

    private static void WriteSums(StateWriter writer, ReadOnlySpan<RowSums> sums)
    {
        foreach (RowSums row in sums)
        {
            writer.Write(row.Count);
        }

        foreach (RowSums row in sums)
        {
            writer.Write(row.Sum);
        }

        foreach (RowSums row in sums)
        {
            writer.Write(row.Squares);
        }
    }

    /// <summary>Reads row sums written by <see cref="WriteSums"/>; each count must be its row's entry count and each sum finite.</summary>
    private static void ReadSums(StateReader reader, Span<RowSums> sums, SparseRows rows, string what)
    {
        int[] counts = reader.ReadValues<int>(sums.Length);
        double[] totals = reader.ReadValues<double>(sums.Length);
        double[] squares = reader.ReadValues<double>(sums.Length);
        for (int r = 0; r < sums.Length; r++)
        {
            if (counts[r] != rows.Offsets[r + 1] - rows.Offsets[r] || !double.IsFinite(totals[r]) || !double.IsFinite(squares[r]))
            {
                throw reader.Invalid($"has {what} sums ({counts[r]}, {totals[r]}, {squares[r]}) at {what} {r} that do not fit its {rows.Offsets[r + 1] - rows.Offsets[r]} entries.");
            }

            sums[r] = new RowSums { Count = counts[r], Sum = totals[r], Squares = squares[r] };
        }
    }

    /// <summary>Writes one statistic of every pair as one array, through a pooled buffer.</summary>
    // Each of these loops runs once per load over millions of entries: compiled optimised at once rather than from
    // unoptimised code on the first (and only) call.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteField<T, TField>(StateWriter writer, ReadOnlySpan<PairSums> pairs)
        where T : unmanaged
        where TField : IPairField<T>
    {
        T[] buffer = ArrayPool<T>.Shared.Rent(Math.Min(Math.Max(pairs.Length, 1), 1 << 16));
        try
        {
            for (int start = 0; start < pairs.Length; start += buffer.Length)
            {
                int count = Math.Min(buffer.Length, pairs.Length - start);
                for (int i = 0; i < count; i++)
                {
                    buffer[i] = TField.Get(pairs[start + i]);
                }

                writer.WriteValues<T>(buffer.AsSpan(0, count));
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads one statistic of every pair written by <see cref="WriteField"/>; floating-point statistics must be finite.</summary>
    // Each of these loops runs once per load over millions of entries: compiled optimised at once rather than from
    // unoptimised code on the first (and only) call.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReadField<T, TField>(StateReader reader, Span<PairSums> pairs, string what)
        where T : unmanaged
        where TField : IPairField<T>
    {
        if ((long)pairs.Length * Marshal.SizeOf<T>() > reader.Remaining)
        {
            throw reader.Invalid($"ends before its {pairs.Length} {what}s.");
        }

        T[] buffer = ArrayPool<T>.Shared.Rent(Math.Min(Math.Max(pairs.Length, 1), 1 << 16));
        try
        {
            for (int start = 0; start < pairs.Length; start += buffer.Length)
            {
                int count = Math.Min(buffer.Length, pairs.Length - start);
                reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(buffer.AsSpan(0, count)));
                for (int i = 0; i < count; i++)
                {
                    if (!TField.Set(ref pairs[start + i], buffer[i]))
                    {
                        throw reader.Invalid($"has a non-finite {what} at pair {start + i}.");
                    }
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(buffer);
        }
    }

    /// <summary>One statistic of <see cref="PairSums"/>, for the saved arrays (one loop shape for every field).</summary>
    private interface IPairField<T>
    {
        static abstract T Get(in PairSums sums);

        /// <summary>Sets the statistic; false for a value it cannot hold (a non-finite sum).</summary>
        static abstract bool Set(ref PairSums sums, T value);
    }

    private readonly struct CountField : IPairField<int>
    {
        public static int Get(in PairSums sums) => sums.Count;

        public static bool Set(ref PairSums sums, int value)
        {
            sums.Count = value;
            return true;
        }
    }

    private readonly struct ProductField : IPairField<double>
    {
        public static double Get(in PairSums sums) => sums.Product;

        public static bool Set(ref PairSums sums, double value)
        {
            sums.Product = value;
            return double.IsFinite(value);
        }
    }

    private readonly struct SquaresAField : IPairField<double>
    {
        public static double Get(in PairSums sums) => sums.SquaresA;

        public static bool Set(ref PairSums sums, double value)
        {
            sums.SquaresA = value;
            return double.IsFinite(value);
        }
    }

    private readonly struct SquaresBField : IPairField<double>
    {
        public static double Get(in PairSums sums) => sums.SquaresB;

        public static bool Set(ref PairSums sums, double value)
        {
            sums.SquaresB = value;
            return double.IsFinite(value);
        }
    }

    private readonly struct SumAField : IPairField<double>
    {
        public static double Get(in PairSums sums) => sums.SumA;

        public static bool Set(ref PairSums sums, double value)
        {
            sums.SumA = value;
            return double.IsFinite(value);
        }
    }

    private readonly struct SumBField : IPairField<double>
    {
        public static double Get(in PairSums sums) => sums.SumB;

        public static bool Set(ref PairSums sums, double value)
        {
            sums.SumB = value;
            return double.IsFinite(value);
        }
    }
}
