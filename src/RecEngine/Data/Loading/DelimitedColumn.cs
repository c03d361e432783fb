namespace RecEngine.Data.Loading;

/// <summary>A column of a delimited file, chosen by its 0-based position or by its name in the header row.</summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed class DelimitedColumn
{
    private DelimitedColumn(int? index, string? name)
    {
        Index = index;
        Name = name;
    }

    /// <summary>The 0-based position of the column, or <see langword="null"/> when it is chosen by name.</summary>
    public int? Index { get; }

    /// <summary>The header name of the column (compared ordinally), or <see langword="null"/> when it is chosen by position.</summary>
    public string? Name { get; }

    /// <summary>The column at 0-based position <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    public static DelimitedColumn At(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return new DelimitedColumn(index, null);
    }

    /// <summary>
    /// The column whose header is <paramref name="name"/> (an ordinal comparison, ignoring white space around the
    /// header). Needs a file with a header row.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty or white space.</exception>
    public static DelimitedColumn Named(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new DelimitedColumn(null, name);
    }

    /// <summary>Describes the column, for example <c>column 2</c> or <c>column 'userId'</c>.</summary>
    public override string ToString() => Name is null ? $"column {Index}" : $"column '{Name}'";
}
