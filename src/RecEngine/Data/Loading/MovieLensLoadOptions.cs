namespace RecEngine.Data.Loading;

/// <summary>Options of the <see cref="MovieLens"/> loaders.</summary>
public sealed class MovieLensLoadOptions
{
    /// <summary>
    /// Whether catalogue movies that nobody rated are also items of the dataset (with their attributes), after
    /// the rated ones. Useful for cold-start experiments; leave it off when an evaluation protocol expects the item
    /// count to be the number of rated movies.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool IncludeUnratedItems { get; set; }

    /// <summary>
    /// The most rows read from any one file (ratings, movies, tags, genres); a file with more is refused with a
    /// <see cref="DataFormatException"/> at the first row past the limit, before its rows are held in memory. The
    /// largest MovieLens release has about 33 million ratings.
    /// </summary>
    /// <value>The default value is 100,000,000.</value>
    public int MaxRows { get; set; } = 100_000_000;

    /// <summary>
    /// The longest line read, in bytes; a longer one is refused with a <see cref="DataFormatException"/> naming its
    /// line, so a file without line breaks never makes the loader buffer all of it.
    /// </summary>
    /// <value>The default value is 1,048,576 (1 MiB).</value>
    public int MaxLineLength { get; set; } = DelimitedTextReader.DefaultMaxLineLength;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is below 1; the exception names it.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRows, 1, nameof(MaxRows));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxLineLength, 1, nameof(MaxLineLength));
    }
}
