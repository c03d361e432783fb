namespace RecEngine.Ingest;

/// <summary>
/// The chunk table shared by the copy-on-write structures (<see cref="ChunkedRows"/>, <see cref="ChunkedArrays{T}"/>):
/// chunks of a fixed power-of-two number of rows, a flag per chunk telling whether the writer owns it (made or copied
/// since the last publish), growth by doubling the table, and the table copy a published version keeps.
/// </summary>
/// <remarks>
/// The chunk size trades the two costs of a publish: every chunk written since the last one is copied whole, and the
/// table (one reference per chunk) is copied once. Small micro-batches touch few rows, so small chunks copy little;
/// readers that scan many rows at a time (item factors) want larger ones.
/// </remarks>
/// <typeparam name="TChunk">The chunk type.</typeparam>
internal sealed class ChunkTable<TChunk>
    where TChunk : class
{
    private readonly Func<TChunk> _newChunk;
    private TChunk[] _chunks = [];
    private bool[] _owned = [];

    /// <summary>Creates an empty table of chunks of <paramref name="chunkRows"/> rows, made by <paramref name="newChunk"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="chunkRows"/> is not a power of two in [1, 65536].</exception>
    public ChunkTable(int chunkRows, Func<TChunk> newChunk)
    {
        if (chunkRows is < 1 or > 1 << 16 || !int.IsPow2(chunkRows))
        {
            throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, "Rows per chunk must be a power of two in [1, 65536].");
        }

        ChunkRows = chunkRows;
        _newChunk = newChunk;
    }

    /// <summary>Rows per chunk.</summary>
    public int ChunkRows { get; }

    /// <summary>Rows, published or not.</summary>
    public int Count { get; private set; }

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

    /// <summary>Makes room for <paramref name="rows"/> rows (if there are fewer): new chunks are owned by the writer; none ever moves.</summary>
    public void Grow(int rows)
    {
        if (rows <= Count)
        {
            return;
        }

        Count = rows;
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
            _chunks[c] = _newChunk();
            _owned[c] = true;
        }
    }

    /// <summary>A copy of the table for the <see cref="Count"/> rows, for a version; every chunk becomes shared.</summary>
    public TChunk[] Publish()
    {
        TChunk[] table = _chunks.AsSpan(0, (Count + ChunkRows - 1) / ChunkRows).ToArray();
        _owned.AsSpan().Clear();
        return table;
    }
}
