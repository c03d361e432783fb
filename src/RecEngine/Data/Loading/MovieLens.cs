namespace RecEngine.Data.Loading;

/// <summary>
/// Loads the GroupLens MovieLens releases (100K, 1M, 10M and the "latest" family such as ml-latest-small) from
/// the folder they unpack to, as it is distributed.
/// </summary>
/// <remarks>
/// <para>
/// Every rating becomes an interaction of kind <see cref="EventKind.Rating"/> whose value is the rating and whose
/// timestamp is the file's Unix seconds in milliseconds. Users and items get indices in order of first appearance
/// in the ratings file; ids are the file's numeric ids as text (user <c>"196"</c>, item <c>"242"</c>).
/// </para>
/// <para>
/// Item attributes: <see cref="ItemAttributes.Title"/> is the title (surrounding white space removed),
/// <see cref="ItemAttributes.Categories"/> the genres (<c>(no genres listed)</c> means none),
/// <see cref="ItemAttributes.Tags"/> the tags users gave the movie, in file order with repeats (10M and latest),
/// and <see cref="ItemAttributes.Numeric"/> holds <see cref="YearAttribute"/> when the title ends in a year such as
/// <c>(1995)</c>. A movie listed twice in the catalogue takes its last row.
/// </para>
/// <para>
/// By default only movies with at least one rating are items, so <see cref="InteractionDataset.ItemCount"/> is the
/// number of rated movies, as evaluation protocols assume; <see cref="MovieLensLoadOptions.IncludeUnratedItems"/>
/// adds the rest of the catalogue. Attributes and tags of movies that are not items are ignored.
/// </para>
/// <para>
/// Each loader builds its dataset privately and returns it only when every file has been read: a malformed file
/// throws <see cref="DataFormatException"/> with its path and line, and nothing is returned. Malformed means: a
/// line too long or not valid in the release's encoding, a wrong field count or header, a non-numeric id, a rating
/// that is not a finite number or whose running sum would pass <see cref="float.MaxValue"/>, a timestamp that is not
/// Unix seconds within the years 1 to 9999, a genre flag other than 0 or 1, a genre index out of order, more rows
/// than <see cref="MovieLensLoadOptions.MaxRows"/>, or a ratings, items or genre file without rows. No other
/// exception comes from the content of the files. Cost: one pass over
/// each file; loading a million ratings takes a fraction of a second. Thread safety: stateless; concurrent loads
/// are independent.
/// </para>
/// </remarks>
public static class MovieLens
{
    /// <summary>The key of the release year in <see cref="ItemAttributes.Numeric"/>.</summary>
    public const string YearAttribute = "year";

    private const string DoubleColon = "::";

    // The genres of u.item's flag columns, in order, as the 100K release's u.genre lists them.
    private static readonly string[] Genres100K =
    [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama",
        "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ];

    /// <summary>
    /// Loads MovieLens 100K (ml-100k): <c>u.data</c> (tab-separated user, item, rating, Unix seconds) and
    /// <c>u.item</c> (<c>|</c>-separated id, title, release date, video release date, URL and 19 genre flags),
    /// both ISO-8859-1. The genre names come from <c>u.genre</c> when the folder has it, otherwise the release's
    /// 19 names (unknown, Action, Adventure, ..., Western).
    /// </summary>
    /// <param name="folder">The folder holding the files.</param>
    /// <param name="options">Loading options; <see langword="null"/> for the defaults.</param>
    /// <returns>A new dataset: 100,000 ratings of 943 users on 1,682 movies for the original release.</returns>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is null or empty.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="folder"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException"><c>u.data</c> or <c>u.item</c> is missing.</exception>
    /// <exception cref="DataFormatException">A file is malformed; the exception gives the path and line.</exception>
    public static InteractionDataset Load100K(string folder, MovieLensLoadOptions? options = null)
    {
        const string Release = "MovieLens 100K";
        string ratings = RequireFile(folder, "u.data", Release);
        string items = RequireFile(folder, "u.item", Release);
        string genrePath = Path.Combine(folder, "u.genre");
        string[] genres = Genres100K;
        if (File.Exists(genrePath))
        {
            using DelimitedTextReader reader = DelimitedTextReader.OpenFile(genrePath, "|", quotes: false, FileEncoding.Latin1, LineLimit(options));
            genres = MovieLensLoader.ReadGenreNames(reader, options?.MaxRows ?? DefaultOptions.MaxRows);
        }

        var loader = new MovieLensLoader(options);
        using (DelimitedTextReader reader = DelimitedTextReader.OpenFile(ratings, "\t", quotes: false, FileEncoding.Latin1, LineLimit(options)))
        {
            loader.ReadRatings(reader);
        }

        using (DelimitedTextReader reader = DelimitedTextReader.OpenFile(items, "|", quotes: false, FileEncoding.Latin1, LineLimit(options)))
        {
            loader.ReadItems100K(reader, genres);
        }

        return loader.Build();
    }

    /// <summary>
    /// Loads MovieLens 1M (ml-1m): <c>ratings.dat</c> (<c>UserID::MovieID::Rating::Timestamp</c>) and
    /// <c>movies.dat</c> (<c>MovieID::Title::Genres</c>, genres separated by <c>|</c>), both ISO-8859-1.
    /// </summary>
    /// <param name="folder">The folder holding the files.</param>
    /// <param name="options">Loading options; <see langword="null"/> for the defaults.</param>
    /// <returns>A new dataset: 1,000,209 ratings of 6,040 users for the original release.</returns>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is null or empty.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="folder"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException"><c>ratings.dat</c> or <c>movies.dat</c> is missing.</exception>
    /// <exception cref="DataFormatException">A file is malformed; the exception gives the path and line.</exception>
    public static InteractionDataset Load1M(string folder, MovieLensLoadOptions? options = null) =>
        LoadDoubleColonRelease(folder, options, "MovieLens 1M", FileEncoding.Latin1, withTags: false);

    /// <summary>
    /// Loads MovieLens 10M (ml-10M100K): <c>ratings.dat</c> (<c>UserID::MovieID::Rating::Timestamp</c>),
    /// <c>movies.dat</c> (<c>MovieID::Title::Genres</c>, genres separated by <c>|</c>) and, when present,
    /// <c>tags.dat</c> (<c>UserID::MovieID::Tag::Timestamp</c>), all UTF-8.
    /// </summary>
    /// <param name="folder">The folder holding the files.</param>
    /// <param name="options">Loading options; <see langword="null"/> for the defaults.</param>
    /// <returns>A new dataset with the ratings, the rated movies' attributes and their tags.</returns>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is null or empty.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="folder"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException"><c>ratings.dat</c> or <c>movies.dat</c> is missing.</exception>
    /// <exception cref="DataFormatException">A file is malformed or not valid UTF-8; the exception gives the path and line.</exception>
    public static InteractionDataset Load10M(string folder, MovieLensLoadOptions? options = null) =>
        LoadDoubleColonRelease(folder, options, "MovieLens 10M", FileEncoding.Utf8, withTags: true);

    /// <summary>
    /// Loads a release of the "latest" family (ml-latest-small, ml-latest, and ml-20m, ml-25m and ml-32m, which
    /// share the layout): <c>ratings.csv</c> (<c>userId,movieId,rating,timestamp</c>), <c>movies.csv</c>
    /// (<c>movieId,title,genres</c>) and, when present, <c>tags.csv</c> (<c>userId,movieId,tag,timestamp</c>).
    /// The files are RFC 4180 CSV in strict UTF-8 with a header row and CRLF or LF line ends; titles and tags may
    /// be quoted, with commas and doubled quotes inside.
    /// </summary>
    /// <param name="folder">The folder holding the files.</param>
    /// <param name="options">Loading options; <see langword="null"/> for the defaults.</param>
    /// <returns>
    /// A new dataset with the ratings, the rated movies' attributes and their tags: 100,836 ratings of 610 users on
    /// 9,724 rated movies for the September 2018 ml-latest-small.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is null or empty.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="folder"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException"><c>ratings.csv</c> or <c>movies.csv</c> is missing.</exception>
    /// <exception cref="DataFormatException">A file is malformed or not valid UTF-8; the exception gives the path and line.</exception>
    public static InteractionDataset LoadLatest(string folder, MovieLensLoadOptions? options = null)
    {
        const string Release = "MovieLens latest";
        string ratings = RequireFile(folder, "ratings.csv", Release);
        string movies = RequireFile(folder, "movies.csv", Release);
        string tags = Path.Combine(folder, "tags.csv");
        var loader = new MovieLensLoader(options);
        using (DelimitedTextReader reader = DelimitedTextReader.OpenFile(ratings, ",", quotes: true, FileEncoding.Utf8, LineLimit(options)))
        {
            MovieLensLoader.ReadHeader(reader, "userId", "movieId", "rating", "timestamp");
            loader.ReadRatings(reader);
        }

        using (DelimitedTextReader reader = DelimitedTextReader.OpenFile(movies, ",", quotes: true, FileEncoding.Utf8, LineLimit(options)))
        {
            MovieLensLoader.ReadHeader(reader, "movieId", "title", "genres");
            loader.ReadMovies(reader);
        }

        if (File.Exists(tags))
        {
            using DelimitedTextReader reader = DelimitedTextReader.OpenFile(tags, ",", quotes: true, FileEncoding.Utf8, LineLimit(options));
            MovieLensLoader.ReadHeader(reader, "userId", "movieId", "tag", "timestamp");
            loader.ReadTags(reader);
        }

        return loader.Build();
    }

    private static InteractionDataset LoadDoubleColonRelease(
        string folder, MovieLensLoadOptions? options, string release, FileEncoding encoding, bool withTags)
    {
        string ratings = RequireFile(folder, "ratings.dat", release);
        string movies = RequireFile(folder, "movies.dat", release);
        string tags = Path.Combine(folder, "tags.dat");
        var loader = new MovieLensLoader(options);
        using (DelimitedTextReader reader = DelimitedTextReader.OpenFile(ratings, DoubleColon, quotes: false, encoding, LineLimit(options)))
        {
            loader.ReadRatings(reader);
        }

        using (DelimitedTextReader reader = DelimitedTextReader.OpenFile(movies, DoubleColon, quotes: false, encoding, LineLimit(options)))
        {
            loader.ReadMovies(reader);
        }

        if (withTags && File.Exists(tags))
        {
            using DelimitedTextReader reader = DelimitedTextReader.OpenFile(tags, DoubleColon, quotes: false, encoding, LineLimit(options));
            loader.ReadTags(reader);
        }

        return loader.Build();
    }

    private static readonly MovieLensLoadOptions DefaultOptions = new();

    private static int LineLimit(MovieLensLoadOptions? options)
    {
        options?.Validate();
        return (options ?? DefaultOptions).MaxLineLength;
    }

    /// <summary>The path of <paramref name="fileName"/> in <paramref name="folder"/>, which must both exist.</summary>
    private static string RequireFile(string folder, string fileName, string release)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"The {release} folder '{folder}' does not exist.");
        }

        string path = Path.Combine(folder, fileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The {release} file '{fileName}' is not in '{folder}'.", path);
        }

        return path;
    }
}
