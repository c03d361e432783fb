namespace RecEngine.Data;

/// <summary>One growable sparse row of (index, value) entries, indices ascending; capacity doubles as it grows.</summary>
internal struct SortedEntries
{
    private int[] _indices;
    private float[] _values;
    private int _count;

    public SortedEntries(ReadOnlySpan<int> indices, ReadOnlySpan<float> values)
    {
        _indices = indices.ToArray();
        _values = values.ToArray();
        _count = indices.Length;
    }

    public readonly int Count => _count;

    public readonly ReadOnlySpan<int> Indices => _indices.AsSpan(0, _count);

    public readonly ReadOnlySpan<float> Values => _values.AsSpan(0, _count);

    /// <summary>The position of <paramref name="index"/>, or the bitwise complement of where it would go.</summary>
    public readonly int Find(int index) => Indices.BinarySearch(index);

    public readonly void Set(int position, float value) => _values[position] = value;

    /// <summary>Inserts at <paramref name="position"/>, the complement of what <see cref="Find"/> returned.</summary>
    public void Insert(int position, int index, float value)
    {
        if (_indices is null || _count == _indices.Length)
        {
            int capacity = Math.Max(4, _count * 2);
            Array.Resize(ref _indices, capacity);
            Array.Resize(ref _values, capacity);
        }

        _indices.AsSpan(position, _count - position).CopyTo(_indices.AsSpan(position + 1));
        _values.AsSpan(position, _count - position).CopyTo(_values.AsSpan(position + 1));
        _indices[position] = index;
        _values[position] = value;
        _count++;
    }
}
