namespace RecEngine.Ingest;

/// <summary>
/// The chunk table shared by the copy-on-write structures (<see cref="ChunkedRows"/>, <see cref="ChunkedArrays{T}"/>):
/// chunks of 256 rows, a flag per chunk telling whether the writer owns it (made or copied since the last publish),
/// growth by doubling the table, and the table copy a published version keeps.
/// </summary>
/// <typeparam name="TChunk">The chunk type.</typeparam>
internal sealed class ChunkTable<TChunk>(Func<TChunk> newChunk)
    where TChunk : class
{
    /// <summary>Rows per chunk: 256, the block the top-N selection scores at a time.</summary>
    public const int ChunkRows = 256;

    private TChunk[] _chunks = [];
    private bool[] _owned = [];

    /// <summary>The chunk holding <paramref name="row"/> as the writer sees it.</summary>
    public TChunk this[int row] => _chunks[row / ChunkRows];

    /// <summary>The chunk holding <paramref name="row"/>, copied first (with <paramref name="copy"/>) unless the writer owns it.</summary>
    public TChunk Writable(int row, Func<TChunk, TChunk> copy)
    {
        int chunk = row / ChunkRows;
        if (!_owned[chunk])
        {
            _chunks[chunk] = copy(_chunks[chunk]);
            _owned[chunk] = true;
        }

        return _chunks[chunk];
    }

    /// <summary>Makes room for <paramref name="rows"/> rows: new chunks are owned by the writer; none ever moves.</summary>
    public void Grow(int rows)
    {
        int chunks = (rows + ChunkRows - 1) / ChunkRows;
        if (chunks <= _chunks.Length)
        {
            return;
        }

        int old = _chunks.Length;
        Array.Resize(ref _chunks, Math.Max(chunks, old * 2));
        Array.Resize(ref _owned, _chunks.Length);
        for (int c = old; c < _chunks.Length; c++)
        {
            _chunks[c] = newChunk();
            _owned[c] = true;
        }
    }

    /// <summary>A copy of the table for <paramref name="rows"/> rows, for a version; every chunk becomes shared.</summary>
    public TChunk[] Publish(int rows)
    {
        TChunk[] table = _chunks.AsSpan(0, (rows + ChunkRows - 1) / ChunkRows).ToArray();
        _owned.AsSpan().Clear();
        return table;
    }
}
