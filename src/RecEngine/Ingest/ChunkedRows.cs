namespace RecEngine.Ingest;

/// <summary>
/// A growable matrix of fixed-width <see cref="float"/> rows (factor vectors) that one writer updates while any
/// number of readers keep reading published versions: copy-on-write by chunk. Rows live in contiguous chunks of
/// <see cref="ChunkRows"/> rows (chosen per matrix, see <see cref="ChunkTable{TChunk}"/>); a version is an
/// immutable table of chunk references.
/// </summary>
/// <remarks>
/// <para>
/// The writer changes rows through <see cref="Writable"/>: the first write to a chunk since the last
/// <see cref="Publish"/> copies that chunk, so published versions are never written. <see cref="Publish"/> returns
/// a new <see cref="Version"/> with one atomic reference write; readers take a version once and read it as long as
/// they like, so they never block, never wait for the writer, and never see a half-written row. A publish costs a
/// copy of the chunk table (rows / <see cref="ChunkRows"/> references) plus one chunk per chunk written.
/// </para>
/// <para>New rows (<see cref="Grow"/>) start at zero. One writer thread at a time.</para>
/// </remarks>
internal sealed class ChunkedRows
{
    private readonly int _width;
    private readonly ChunkTable<float[]> _chunks;
    private Version _published;

    /// <summary>Creates the matrix from <paramref name="rows"/> (row-major, <paramref name="width"/> floats per row).</summary>
    /// <param name="width">Floats per row.</param>
    /// <param name="rows">The initial rows.</param>
    /// <param name="chunkRows">Rows per chunk, a power of two.</param>
    public ChunkedRows(int width, ReadOnlySpan<float> rows, int chunkRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (rows.Length % width != 0)
        {
            throw new ArgumentException($"{rows.Length} values are not whole rows of {width}.", nameof(rows));
        }

        _width = width;
        _chunks = new ChunkTable<float[]>(chunkRows, () => new float[chunkRows * width]);
        _chunks.Grow(rows.Length / width);
        for (int start = 0; start < rows.Length; start += ChunkRows * width)
        {
            rows.Slice(start, Math.Min(ChunkRows * width, rows.Length - start)).CopyTo(_chunks[start / width]);
        }

        _published = new Version(_chunks.Publish(), Count, width, ChunkRows);
    }

    /// <summary>Floats per row.</summary>
    public int Width => _width;

    /// <summary>Rows per chunk.</summary>
    public int ChunkRows => _chunks.ChunkRows;

    /// <summary>Rows, published or not.</summary>
    public int Count => _chunks.Count;

    /// <summary>The latest published version.</summary>
    public Version Published => Volatile.Read(ref _published);

    /// <summary>The row to write; its chunk is copied first if a published version shares it.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="row"/> is not in [0, <see cref="Count"/>).</exception>
    public Span<float> Writable(int row)
    {
        if ((uint)row >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(row), row, $"Row must be in [0, {Count}).");
        }

        return _chunks.Writable(row, chunk => (float[])chunk.Clone()).AsSpan((row % ChunkRows) * _width, _width);
    }

    /// <summary>The writer's current view of a row (including unpublished writes).</summary>
    public ReadOnlySpan<float> Current(int row) =>
        (uint)row < (uint)Count
            ? _chunks[row].AsSpan((row % ChunkRows) * _width, _width)
            : throw new ArgumentOutOfRangeException(nameof(row), row, $"Row must be in [0, {Count}).");

    /// <summary>Adds zero rows up to <paramref name="count"/> rows (amortised: chunks are added, never moved).</summary>
    public void Grow(int count) => _chunks.Grow(count);

    /// <summary>Makes every write so far visible to readers as one new version, atomically.</summary>
    public Version Publish()
    {
        var version = new Version(_chunks.Publish(), Count, _width, ChunkRows);
        Volatile.Write(ref _published, version);
        return version;
    }

    /// <summary>An immutable version of the rows: safe to read from any thread for as long as it is held.</summary>
    internal sealed class Version(float[][] chunks, int count, int width, int chunkRows)
    {
        /// <summary>Rows in this version.</summary>
        public int Count => count;

        public int Width => width;

        /// <summary>Row <paramref name="row"/>.</summary>
        public ReadOnlySpan<float> Row(int row) =>
            (uint)row < (uint)count
                ? chunks[row / chunkRows].AsSpan((row % chunkRows) * width, width)
                : throw new ArgumentOutOfRangeException(nameof(row), row, $"Row must be in [0, {count}).");

        /// <summary>
        /// The contiguous rows of the chunk holding <paramref name="row"/>, from that row to the chunk's end (or the
        /// last row): <c>min(chunkRows − row % chunkRows, Count − row)</c> rows, row-major.
        /// </summary>
        public ReadOnlySpan<float> RowsFrom(int row)
        {
            if ((uint)row >= (uint)count)
            {
                throw new ArgumentOutOfRangeException(nameof(row), row, $"Row must be in [0, {count}).");
            }

            int rows = Math.Min(chunkRows - (row % chunkRows), count - row);
            return chunks[row / chunkRows].AsSpan((row % chunkRows) * width, rows * width);
        }
    }
}
