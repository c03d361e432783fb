namespace RecEngine.Data.Loading;

/// <summary>
/// Hands out one string instance per distinct text, so that a file that repeats an id a million times allocates
/// it once. Lookups by span do not allocate.
/// </summary>
/// <remarks>Not thread-safe: one pool per load.</remarks>
internal sealed class StringPool
{
    private readonly Dictionary<string, string> _strings;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public StringPool(int capacity = 0)
    {
        _strings = new Dictionary<string, string>(capacity, StringComparer.Ordinal);
        _bySpan = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Number of distinct strings in the pool.</summary>
    public int Count => _strings.Count;

    /// <summary>The pooled string equal to <paramref name="text"/>, added on first use.</summary>
    public string Get(ReadOnlySpan<char> text)
    {
        if (_bySpan.TryGetValue(text, out string? pooled))
        {
            return pooled;
        }

        pooled = text.ToString();
        _strings.Add(pooled, pooled);
        return pooled;
    }
}
