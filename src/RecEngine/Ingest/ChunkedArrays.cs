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
    public const int ChunkRows = 256;

    private T?[][] _chunks = [];
    private bool[] _owned = [];
    private int _count;
    private Version _published = new([], 0);

    /// <summary>Rows, published or not.</summary>
    public int Count => _count;

    /// <summary>The latest published version.</summary>
    public Version Published => Volatile.Read(ref _published);

    /// <summary>The writer's current row (including unpublished writes); null for a row never set.</summary>
    public T? Current(int row) => (uint)row < (uint)_count ? _chunks[row / ChunkRows][row % ChunkRows] : null;

    /// <summary>Replaces row <paramref name="row"/> (created, with the rows before it, if beyond the rows).</summary>
    public void Set(int row, T value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        Grow(row + 1);
        int chunk = row / ChunkRows;
        if (!_owned[chunk])
        {
            _chunks[chunk] = (T?[])_chunks[chunk].Clone();
            _owned[chunk] = true;
        }

        _chunks[chunk][row % ChunkRows] = value;
    }

    /// <summary>Adds empty rows up to <paramref name="count"/> rows.</summary>
    public void Grow(int count)
    {
        if (count <= _count)
        {
            return;
        }

        int chunks = (count + ChunkRows - 1) / ChunkRows;
        if (chunks > _chunks.Length)
        {
            int old = _chunks.Length;
            Array.Resize(ref _chunks, Math.Max(chunks, old * 2));
            Array.Resize(ref _owned, _chunks.Length);
            for (int c = old; c < _chunks.Length; c++)
            {
                _chunks[c] = new T?[ChunkRows];
                _owned[c] = true;
            }
        }

        _count = count;
    }

    /// <summary>Makes every write so far visible to readers as one new version, atomically.</summary>
    public Version Publish()
    {
        int chunks = (_count + ChunkRows - 1) / ChunkRows;
        var version = new Version(_chunks.AsSpan(0, chunks).ToArray(), _count);
        _owned.AsSpan().Clear();
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
