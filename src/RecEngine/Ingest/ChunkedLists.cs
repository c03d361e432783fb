namespace RecEngine.Ingest;

/// <summary>
/// Growable sorted lists of item indices, one per user (what each user has seen), that one writer extends while
/// readers keep reading published versions: each list is an immutable array replaced whole when it grows, kept in
/// <see cref="ChunkedArrays{T}"/>.
/// </summary>
/// <remarks>Adding to a list costs a copy of that list. One writer thread at a time.</remarks>
internal sealed class ChunkedLists
{
    private readonly ChunkedArrays<int[]> _rows = new();
    private Version? _published;

    /// <summary>Creates the lists from every row of <paramref name="source"/> (rows 0 to <paramref name="count"/> − 1).</summary>
    public ChunkedLists(SeenItems source, int count)
    {
        ArgumentNullException.ThrowIfNull(source);
        _rows.Grow(count);
        for (int row = 0; row < count; row++)
        {
            ReadOnlySpan<int> items = source.RowColumns(row);
            if (!items.IsEmpty)
            {
                _rows.Set(row, items.ToArray());
            }
        }

        Publish();
    }

    /// <summary>Rows, published or not.</summary>
    public int Count => _rows.Count;

    /// <summary>The latest published version.</summary>
    public Version Published => Volatile.Read(ref _published)!;

    /// <summary>Adds <paramref name="value"/> to row <paramref name="row"/> (created if beyond the rows) unless it is there.</summary>
    /// <returns>Whether it was added.</returns>
    public bool Add(int row, int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        int[] current = _rows.Current(row) ?? [];
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
        _rows.Set(row, grown);
        return true;
    }

    /// <summary>Makes every addition so far visible to readers as one new version, atomically.</summary>
    public Version Publish()
    {
        var version = new Version(_rows.Publish());
        Volatile.Write(ref _published, version);
        return version;
    }

    /// <summary>An immutable version of the lists, readable from any thread.</summary>
    internal sealed class Version(ChunkedArrays<int[]>.Version rows) : SeenItems
    {
        public int Count => rows.Count;

        public override ReadOnlySpan<int> RowColumns(int user) => rows[user];
    }
}
