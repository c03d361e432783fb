namespace RecEngine.Ingest;

/// <summary>
/// Growable sorted lists of item indices, one per user (what each user has seen), that one writer extends while
/// readers keep reading published versions. A list is an immutable array replaced whole when it grows; the arrays of
/// list references are kept in chunks of <see cref="ChunkRows"/> users and copied on the first write after a
/// publish, like <see cref="ChunkedRows"/>.
/// </summary>
/// <remarks>Adding to a list costs a copy of that list. One writer thread at a time.</remarks>
internal sealed class ChunkedLists
{
    public const int ChunkRows = 256;

    private int[][][] _chunks = [];
    private bool[] _owned = [];
    private int _count;
    private Version _published = new([], 0);

    /// <summary>Creates the lists from every row of <paramref name="source"/> (rows 0 to <paramref name="count"/> − 1).</summary>
    public ChunkedLists(SeenItems source, int count)
    {
        ArgumentNullException.ThrowIfNull(source);
        Grow(count);
        for (int row = 0; row < count; row++)
        {
            ReadOnlySpan<int> items = source.RowColumns(row);
            if (!items.IsEmpty)
            {
                _chunks[row / ChunkRows][row % ChunkRows] = items.ToArray();
            }
        }

        Publish();
    }

    /// <summary>Rows, published or not.</summary>
    public int Count => _count;

    /// <summary>The latest published version.</summary>
    public Version Published => Volatile.Read(ref _published);

    /// <summary>Adds <paramref name="value"/> to row <paramref name="row"/> (created if beyond the rows) unless it is there.</summary>
    /// <returns>Whether it was added.</returns>
    public bool Add(int row, int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        Grow(row + 1);
        int chunk = row / ChunkRows;
        int[] current = _chunks[chunk][row % ChunkRows] ?? [];
        int at = Array.BinarySearch(current, value);
        if (at >= 0)
        {
            return false;
        }

        at = ~at;
        var grown = new int[current.Length + 1];
        current.AsSpan(0, at).CopyTo(grown);
        grown[at] = value;
        current.AsSpan(at).CopyTo(grown.AsSpan(at + 1));
        if (!_owned[chunk])
        {
            _chunks[chunk] = (int[][])_chunks[chunk].Clone();
            _owned[chunk] = true;
        }

        _chunks[chunk][row % ChunkRows] = grown;
        return true;
    }

    /// <summary>Makes every addition so far visible to readers as one new version, atomically.</summary>
    public Version Publish()
    {
        int chunks = (_count + ChunkRows - 1) / ChunkRows;
        var version = new Version(_chunks.AsSpan(0, chunks).ToArray(), _count);
        _owned.AsSpan().Clear();
        Volatile.Write(ref _published, version);
        return version;
    }

    private void Grow(int count)
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
                _chunks[c] = new int[ChunkRows][];
                _owned[c] = true;
            }
        }

        _count = count;
    }

    /// <summary>An immutable version of the lists, readable from any thread.</summary>
    internal sealed class Version(int[][][] chunks, int count) : SeenItems
    {
        public int Count => count;

        public override ReadOnlySpan<int> RowColumns(int user) =>
            (uint)user < (uint)count ? chunks[user / ChunkRows][user % ChunkRows] : default;
    }
}
