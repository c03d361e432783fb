using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using RecEngine.Data;

namespace RecEngine.Models.Neighborhood;

/// <summary>
/// The K-nearest-neighbour graph of the rows of a sparse matrix, kept exact while entries arrive one at a time.
/// Holds the matrix in both orientations, every row's <see cref="RowSums"/>, the <see cref="PairSums"/> of every
/// pair of rows sharing an entry, and per row a ranked list of up to K + slack neighbours.
/// </summary>
/// <remarks>
/// <para>
/// <b>Update</b> (<see cref="Apply"/>) of entry (row r, column c) to a new value: the sums of the pairs (r, q) for the
/// other rows q of column c move by r's old and new contribution, and r's row sums change. For cosine, Pearson and
/// Jaccard that changes sim(r, q) for every q paired with r (r's norm, mean or count moved) and nothing else: r's
/// list is recomputed from its pairs, O(deg r), and r is re-ranked in the list of each such q, O(K) each. For adjusted
/// cosine the column's mean moves, which changes every pair within column c: their contributions are removed with
/// the old mean and added with the new one, O(n_c²), and the lists of the rows of column c are recomputed.
/// </para>
/// <para>
/// <b>Slack</b>: a list holds up to K + slack entries so that a neighbour whose similarity drops can leave without a
/// recompute; the invariant is that every pair outside a row's list ranks after the list's last entry, or that the
/// list holds every candidate. A row is recomputed from its pairs only when its list falls below K entries while
/// candidates may be missing.
/// </para>
/// <para>
/// Similarities come from <see cref="PairSimilarity"/>, like <see cref="SimilarityBuilder"/>'s, so with equal
/// statistics both give the same bits and the same lists (ties by lower index). Memory is O(pairs sharing an entry),
/// which is what exactness costs. One writer at a time; readers must not run concurrently with
/// <see cref="Apply"/>.
/// </para>
/// </remarks>
internal sealed partial class IncrementalNeighborIndex
{
    private readonly SimilarityMeasure _measure;
    private readonly float _shrinkage;
    private readonly int _k;
    private readonly int _capacity;

    private int _rowCount;
    private int _columnCount;
    private SortedEntries[] _rows;
    private SortedEntries[] _columns;
    private RowSums[] _rowSums;
    private RowSums[] _columnSums;
    private PairTable[] _tables;
    private PairSums[] _pairs;
    private int _pairCount;

    // Row r's list: _neighbors/_similarities[r * _capacity ..][.. _lengths[r]], best first.
    private int[] _neighbors;
    private float[] _similarities;
    private int[] _lengths;
    private bool[] _exhaustive;

    // The last entry of each non-exhaustive list, kept apart (compact, cache-resident) so that an update can tell
    // without touching a row's list whether a changed candidate could enter it.
    private float[] _lastScores;
    private int[] _lastIndices;

    private int[] _heapIndices;
    private float[] _heapScores;
    private float[] _entryScores = [];

    // How many table entries ahead Recompute asks for a pair: enough to cover a memory access (about 100 ns) at the
    // 5-10 ns a pair takes to score once in cache.
    private const int PrefetchDistance = 16;

    private IncrementalNeighborIndex(SimilarityMeasure measure, float shrinkage, int neighbors, int slack)
    {
        if (!Enum.IsDefined(measure))
        {
            throw new ArgumentOutOfRangeException(nameof(measure), measure, "Unknown similarity measure.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(neighbors, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(slack);
        _measure = measure;
        _shrinkage = shrinkage;
        _k = neighbors;
        _capacity = neighbors + slack;
        _rows = [];
        _columns = [];
        _rowSums = [];
        _columnSums = [];
        _tables = [];
        _pairs = new PairSums[16];
        _neighbors = [];
        _similarities = [];
        _lengths = [];
        _exhaustive = [];
        _lastScores = [];
        _lastIndices = [];
        _heapIndices = new int[_capacity];
        _heapScores = new float[_capacity];
    }

    /// <summary>Number of rows.</summary>
    public int RowCount => _rowCount;

    /// <summary>Number of columns.</summary>
    public int ColumnCount => _columnCount;

    /// <summary>Number of pairs of rows that share an entry (each with its sums).</summary>
    public int PairCount => _pairCount;

    /// <summary>
    /// Builds the index of <paramref name="rows"/> (with <paramref name="transposed"/>, the same matrix by column),
    /// keeping <paramref name="neighbors"/> neighbours per row plus <paramref name="slack"/> spare ones.
    /// </summary>
    public static IncrementalNeighborIndex Build(
        SparseRows rows, SparseRows transposed, SimilarityMeasure measure, float shrinkage, int neighbors, int slack)
    {
        var index = new IncrementalNeighborIndex(measure, shrinkage, neighbors, slack);
        index.EnsureRows(rows.Count);
        index.EnsureColumns(transposed.Count);
        var inputs = SimilarityBuilder.PairInputs.Create(rows, transposed, measure);
        SimilarityBuilder.PairInputs.Sums(transposed).CopyTo(index._columnSums, 0);
        for (int r = 0; r < rows.Count; r++)
        {
            index._rows[r] = new SortedEntries(rows.IndicesOf(r), rows.ValuesOf(r));
            index._rowSums[r] = inputs.Rows[r];
        }

        for (int c = 0; c < transposed.Count; c++)
        {
            index._columns[c] = new SortedEntries(transposed.IndicesOf(c), transposed.ValuesOf(c));
        }

        var accumulators = new SimilarityBuilder.Accumulators(rows.Count);
        for (int r = 0; r < rows.Count; r++)
        {
            foreach (int other in accumulators.Accumulate(r, rows, transposed, inputs))
            {
                PairSums sums = accumulators.Take(other);
                if (other > r)
                {
                    index.AddPair(r, other) = sums;
                }
            }
        }

        for (int r = 0; r < rows.Count; r++)
        {
            index.Recompute(r, propagate: false);
        }

        return index;
    }

    /// <summary>The neighbours of <paramref name="row"/>, best first (at most K).</summary>
    public ReadOnlySpan<int> NeighborsOf(int row) => _neighbors.AsSpan(row * _capacity, Math.Min(_k, _lengths[row]));

    /// <summary>The columns of <paramref name="row"/>'s entries, ascending (writer side: not for concurrent readers).</summary>
    public ReadOnlySpan<int> RowIndices(int row) => row < _rowCount ? _rows[row].Indices : default;

    /// <summary>The values of <see cref="RowIndices"/>, in the same order.</summary>
    public ReadOnlySpan<float> RowValues(int row) => row < _rowCount ? _rows[row].Values : default;

    /// <summary>The rows of <paramref name="column"/>'s entries, ascending (writer side: not for concurrent readers).</summary>
    public ReadOnlySpan<int> ColumnIndices(int column) => column < _columnCount ? _columns[column].Indices : default;

    /// <summary>The values of <see cref="ColumnIndices"/>, in the same order.</summary>
    public ReadOnlySpan<float> ColumnValues(int column) => column < _columnCount ? _columns[column].Values : default;

    /// <summary>An immutable copy of the current lists (at most K per row), for readers.</summary>
    public NeighborGraph Snapshot()
    {
        var offsets = new int[_rowCount + 1];
        for (int r = 0; r < _rowCount; r++)
        {
            offsets[r + 1] = offsets[r] + NeighborsOf(r).Length;
        }

        var neighbors = new int[offsets[_rowCount]];
        var similarities = new float[offsets[_rowCount]];
        for (int r = 0; r < _rowCount; r++)
        {
            NeighborsOf(r).CopyTo(neighbors.AsSpan(offsets[r]));
            SimilaritiesOf(r).CopyTo(similarities.AsSpan(offsets[r]));
        }

        return new NeighborGraph(offsets, neighbors, similarities);
    }

    /// <summary>The similarities of <see cref="NeighborsOf"/>, in the same order.</summary>
    public ReadOnlySpan<float> SimilaritiesOf(int row) => _similarities.AsSpan(row * _capacity, Math.Min(_k, _lengths[row]));

    /// <summary>
    /// Sets entry (<paramref name="row"/>, <paramref name="column"/>) to <paramref name="value"/>, or adds
    /// <paramref name="value"/> to it under <see cref="DuplicatePolicy.Sum"/>, and brings every affected pair and list
    /// up to date. Rows and columns beyond the current counts are created.
    /// </summary>
    /// <returns>Whether anything changed.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// An index is negative, the value is not finite or its sum with the entry overflows, or the policy is unknown;
    /// the index is left unchanged.
    /// </exception>
    public bool Apply(int row, int column, float value, DuplicatePolicy policy)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        if (!float.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "The value must be finite.");
        }

        if (policy is not (DuplicatePolicy.Sum or DuplicatePolicy.LastWins))
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy, "Unknown duplicate policy.");
        }

        EnsureRows(row + 1);
        EnsureColumns(column + 1);
        int position = _rows[row].Find(column);
        bool isNew = position < 0;
        float old = isNew ? 0f : _rows[row].Values[position];
        float updated = !isNew && policy == DuplicatePolicy.Sum ? old + value : value;
        if (!float.IsFinite(updated))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Adding the value to the entry's {old} overflows.");
        }

        if (!isNew && updated == old)
        {
            return false;
        }

        if (_measure == SimilarityMeasure.AdjustedCosine)
        {
            AddColumnPairs(column, -1);
            SetEntry(row, column, position, old, updated);
            AddColumnPairs(column, +1);
            foreach (int member in _columns[column].Indices)
            {
                Recompute(member, propagate: false);
            }

            return true;
        }

        ReadOnlySpan<int> others = _columns[column].Indices;
        ReadOnlySpan<float> otherValues = _columns[column].Values;
        for (int o = 0; o < others.Length; o++)
        {
            int other = others[o];
            if (other == row)
            {
                continue;
            }

            int slot = _tables[row].Find(other);
            ref PairSums sums = ref slot >= 0 ? ref _pairs[slot] : ref AddPair(row, other);
            bool rowIsA = row < other;
            double y = otherValues[o];
            if (!isNew)
            {
                sums.Add(rowIsA ? old : y, rowIsA ? y : old, -1);
            }

            sums.Add(rowIsA ? updated : y, rowIsA ? y : updated, +1);
        }

        SetEntry(row, column, position, old, updated);
        Recompute(row, propagate: true);
        return true;
    }

    private void SetEntry(int row, int column, int position, float old, float updated)
    {
        if (position >= 0)
        {
            _rows[row].Set(position, updated);
            _columns[column].Set(_columns[column].Find(row), updated);
        }
        else
        {
            _rows[row].Insert(~position, column, updated);
            _columns[column].Insert(~_columns[column].Find(row), row, updated);
        }

        _rowSums[row].Update(old, updated, position < 0);
        _columnSums[column].Update(old, updated, position < 0);
    }

    /// <summary>Adds (1) or removes (−1) the contributions of column <paramref name="column"/> to all pairs among its rows, centred by its current mean.</summary>
    private void AddColumnPairs(int column, int sign)
    {
        ReadOnlySpan<int> members = _columns[column].Indices;
        ReadOnlySpan<float> values = _columns[column].Values;
        double mean = _columnSums[column].Mean;
        for (int a = 0; a < members.Length; a++)
        {
            for (int b = a + 1; b < members.Length; b++)
            {
                int slot = _tables[members[a]].Find(members[b]);
                ref PairSums sums = ref slot >= 0 ? ref _pairs[slot] : ref AddPair(members[a], members[b]);
                sums.Add(values[a] - mean, values[b] - mean, sign);
            }
        }
    }

    /// <summary>Creates the (empty) sums of a new pair and registers it with both rows; <paramref name="row"/> &lt; or &gt; <paramref name="other"/>.</summary>
    private ref PairSums AddPair(int row, int other)
    {
        if (_pairCount == _pairs.Length)
        {
            Array.Resize(ref _pairs, _pairs.Length * 2);
        }

        int slot = _pairCount++;
        _tables[row].Add(other, slot);
        _tables[other].Add(row, slot);
        return ref _pairs[slot];
    }

    /// <summary>
    /// Rebuilds <paramref name="row"/>'s list from all its pairs; with <paramref name="propagate"/>, also re-ranks
    /// <paramref name="row"/> in the list of every row it is paired with (their similarity to it may have changed).
    /// </summary>
    private void Recompute(int row, bool propagate)
    {
        ReadOnlySpan<long> entries = _tables[row].Entries;
        if (propagate && _entryScores.Length < entries.Length)
        {
            _entryScores = new float[entries.Length];
        }

        // Only the propagating (outermost) call keeps per-entry scores: the recomputes its re-ranks trigger do not.
        Span<float> entryScores = propagate ? _entryScores.AsSpan(0, entries.Length) : default;
        Span<int> heapIndices = _heapIndices;
        Span<float> heapScores = _heapScores;
        int size = 0;
        int valid = 0;
        for (int e = 0; e < entries.Length; e++)
        {
            // The pairs of a row lie scattered over an array of hundreds of megabytes, so each read below would wait
            // for memory: ask for the pair a few entries ahead while this one is computed.
            if (e + PrefetchDistance < entries.Length && PairTable.IsEntry(entries[e + PrefetchDistance]))
            {
                Prefetch(ref _pairs[PairTable.SlotOf(entries[e + PrefetchDistance])]);
            }

            long entry = entries[e];
            if (!PairTable.IsEntry(entry))
            {
                continue;
            }

            int other = PairTable.KeyOf(entry);
            float similarity = PairSimilarity.Compute(_measure, _shrinkage, _pairs[PairTable.SlotOf(entry)], Math.Min(row, other), Math.Max(row, other), _rowSums);
            if (propagate)
            {
                entryScores[e] = similarity;
            }

            if (!float.IsNaN(similarity))
            {
                valid++;
                NeighborHeap.Offer(heapIndices, heapScores, ref size, other, similarity);
            }
        }

        foreach (int old in _neighbors.AsSpan(row * _capacity, _lengths[row]))
        {
            MarkListed(row, old, listed: false);
        }

        _exhaustive[row] = valid <= _capacity;
        int length = NeighborHeap.Drain(heapIndices, heapScores, size);
        heapIndices[..length].CopyTo(_neighbors.AsSpan(row * _capacity));
        heapScores[..length].CopyTo(_similarities.AsSpan(row * _capacity));
        _lengths[row] = length;
        foreach (int member in heapIndices[..length])
        {
            MarkListed(row, member, listed: true);
        }

        UpdateLast(row);
        if (!propagate)
        {
            return;
        }

        // The heap is free again: a re-rank may recompute another row's list with it. A row whose list does not
        // hold this one, and which this one cannot enter, is left alone without reading its list.
        for (int e = 0; e < entries.Length; e++)
        {
            long entry = entries[e];
            if (!PairTable.IsEntry(entry))
            {
                continue;
            }

            int other = PairTable.KeyOf(entry);
            float similarity = _entryScores[e];
            bool listed = (_pairs[PairTable.SlotOf(entry)].Listed & (other < row ? 1 : 2)) != 0;
            if (listed || (!float.IsNaN(similarity)
                && (_exhaustive[other] || NeighborHeap.Before(similarity, row, _lastScores[other], _lastIndices[other]))))
            {
                Rerank(other, row, similarity);
            }
        }
    }

    /// <summary>
    /// Hints the processor to bring <paramref name="target"/>'s cache line in. Only a hint: a prefetch never faults,
    /// so an address the collector has since moved costs nothing but the hint.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch<T>(ref T target)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref target));
        }
    }

    /// <summary>Records whether <paramref name="other"/> is in <paramref name="row"/>'s list, in their pair's <see cref="PairSums.Listed"/> bits.</summary>
    private void MarkListed(int row, int other, bool listed)
    {
        ref byte bits = ref _pairs[_tables[row].Find(other)].Listed;
        byte bit = (byte)(row < other ? 1 : 2);
        bits = listed ? (byte)(bits | bit) : (byte)(bits & ~bit);
    }

    /// <summary>Refreshes the compact copy of <paramref name="row"/>'s last entry.</summary>
    private void UpdateLast(int row)
    {
        int length = _lengths[row];
        (_lastScores[row], _lastIndices[row]) = length == 0
            ? (float.NegativeInfinity, int.MaxValue)
            : (_similarities[(row * _capacity) + length - 1], _neighbors[(row * _capacity) + length - 1]);
    }

    /// <summary>Moves <paramref name="candidate"/> to its place in <paramref name="row"/>'s list for its new similarity (NaN: not a neighbour).</summary>
    private void Rerank(int row, int candidate, float similarity)
    {
        int start = row * _capacity;
        int length = _lengths[row];
        Span<int> ids = _neighbors.AsSpan(start, _capacity);
        Span<float> sims = _similarities.AsSpan(start, _capacity);
        int at = ids[..length].IndexOf(candidate);
        if (at >= 0)
        {
            ids.Slice(at + 1, length - at - 1).CopyTo(ids[at..]);
            sims.Slice(at + 1, length - at - 1).CopyTo(sims[at..]);
            length--;
            MarkListed(row, candidate, listed: false);
        }

        if (!float.IsNaN(similarity)
            && (_exhaustive[row] || (length > 0 && NeighborHeap.Before(similarity, candidate, sims[length - 1], ids[length - 1]))))
        {
            int place = 0;
            while (place < length && NeighborHeap.Before(sims[place], ids[place], similarity, candidate))
            {
                place++;
            }

            // A full list drops the worse of its last entry and the candidate, which becomes an outsider.
            bool full = length == _capacity;
            if (full)
            {
                _exhaustive[row] = false;
            }

            if (!full || place < length)
            {
                if (full)
                {
                    length--;
                    MarkListed(row, ids[length], listed: false);
                }

                ids.Slice(place, length - place).CopyTo(ids[(place + 1)..]);
                sims.Slice(place, length - place).CopyTo(sims[(place + 1)..]);
                ids[place] = candidate;
                sims[place] = similarity;
                length++;
                MarkListed(row, candidate, listed: true);
            }
        }

        _lengths[row] = length;
        UpdateLast(row);
        if (!_exhaustive[row] && length < _k)
        {
            Recompute(row, propagate: false);
        }
    }

    private void EnsureRows(int count)
    {
        if (count <= _rowCount)
        {
            return;
        }

        if (count > _rows.Length)
        {
            int capacity = Math.Max(count, _rows.Length * 2);
            Array.Resize(ref _rows, capacity);
            Array.Resize(ref _rowSums, capacity);
            Array.Resize(ref _tables, capacity);
            Array.Resize(ref _lengths, capacity);
            Array.Resize(ref _exhaustive, capacity);
            Array.Resize(ref _lastScores, capacity);
            Array.Resize(ref _lastIndices, capacity);
            Array.Resize(ref _neighbors, capacity * _capacity);
            Array.Resize(ref _similarities, capacity * _capacity);
        }

        _exhaustive.AsSpan(_rowCount, count - _rowCount).Fill(true);
        _rowCount = count;
    }

    private void EnsureColumns(int count)
    {
        if (count <= _columnCount)
        {
            return;
        }

        if (count > _columns.Length)
        {
            int capacity = Math.Max(count, _columns.Length * 2);
            Array.Resize(ref _columns, capacity);
            Array.Resize(ref _columnSums, capacity);
        }

        _columnCount = count;
    }
}
