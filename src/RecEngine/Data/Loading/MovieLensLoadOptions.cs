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
}
