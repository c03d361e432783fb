namespace RecEngine.Ingest;

/// <summary>
/// A growable array of references (one per row: a user's seen items, a user's history) that one writer replaces
/// while readers keep reading published versions. References are kept in chunks of <see cref="ChunkRows"/> rows; a
/// chunk is copied on the first write after a publish, and a version is an immutable table of chunks.
/// </summary>
/// <typeparam name="T">The row type; a row must never be changed once set (replace it instead).</typeparam>
/// <remarks>One writer thread at a time.</remarks>
internal sealed class ChunkedArrays<T>
    where T : class
{
    /// <summary>Rows per chunk: 64 references (512 bytes copied when a chunk is first written after a publish).</summary>
    public const int ChunkRows = 64;

    private readonly ChunkTable<T?[]> _chunks = new(ChunkRows, () => new T?[ChunkRows]);
    private Version _published = new([], 0);

    /// <summary>Rows, published or not.</summary>
    public int Count => _chunks.Count;

    /// <summary>The latest published version.</summary>
    public Version Published => Volatile.Read(ref _published);

    /// <summary>The writer's current row (including unpublished writes); null for a row never set.</summary>
    public T? Current(int row) => (uint)row < (uint)Count ? _chunks[row][row % ChunkRows] : null;

    /// <summary>Replaces row <paramref name="row"/> (created, with the rows before it, if beyond the rows).</summary>
    public void Set(int row, T value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        Grow(row + 1);
        _chunks.Writable(row, chunk => (T?[])chunk.Clone())[row % ChunkRows] = value;
    }

    /// <summary>Adds empty rows up to <paramref name="count"/> rows.</summary>
    public void Grow(int count) => _chunks.Grow(count);

    /// <summary>Makes every write so far visible to readers as one new version, atomically.</summary>
    public Version Publish()
    {
        var version = new Version(_chunks.Publish(), Count);
        Volatile.Write(ref _published, version);
        return version;
    }

    /// <summary>An immutable version, readable from any thread.</summary>
    internal sealed class Version(T?[][] chunks, int count)
    {
        public int Count => count;

        /// <summary>Row <paramref name="row"/>, or null when it was never set or is beyond the rows.</summary>
        public T? this[int row] => (uint)row < (uint)count ? chunks[row / ChunkRows][row % ChunkRows] : null;
    }
}
