using System.Collections.ObjectModel;
using System.Globalization;

namespace RecEngine.Data.Loading;

/// <summary>
/// Assembles one MovieLens dataset from its files: ratings first (they fix the user and item indices), then the
/// movie catalogue, then tags. Each release's layout is read by the method named for it.
/// </summary>
/// <remarks>
/// Everything is held privately until <see cref="Build"/>, so a load that throws leaves nothing behind.
/// Not thread-safe: one instance per load.
/// </remarks>
internal sealed class MovieLensLoader
{
    private const string RatingFields = "user, item, rating, timestamp";
    private const string TagFields = "user, item, tag, timestamp";
    private const string NoGenresListed = "(no genres listed)";

    private readonly bool _includeUnratedItems;
    private readonly int _maxRows;
    private readonly IdMap _items = new();
    private readonly InteractionDatasetBuilder _builder;
    private readonly StringPool _strings = new();
    private readonly Dictionary<int, Movie> _movies = [];
    private readonly Dictionary<int, List<string>> _tags = [];
    private readonly List<string> _genres = [];

    public MovieLensLoader(MovieLensLoadOptions? options)
    {
        options?.Validate();
        _includeUnratedItems = options?.IncludeUnratedItems ?? false;
        _maxRows = options?.MaxRows ?? new MovieLensLoadOptions().MaxRows;
        _builder = new InteractionDatasetBuilder(items: _items);
    }

    /// <summary>Checks that the reader's first record is exactly the header <paramref name="names"/>.</summary>
    public static void ReadHeader(DelimitedTextReader reader, params ReadOnlySpan<string> names)
    {
        string expected = string.Join(',', names);
        if (!reader.ReadRecord())
        {
            throw reader.Error($"expected the header row '{expected}', found an empty file");
        }

        bool matches = reader.FieldCount == names.Length;
        for (int i = 0; matches && i < names.Length; i++)
        {
            matches = reader.GetField(i).SequenceEqual(names[i]);
        }

        if (!matches)
        {
            var found = new string[reader.FieldCount];
            for (int i = 0; i < found.Length; i++)
            {
                found[i] = reader.GetField(i).ToString();
            }

            throw reader.Error($"expected the header row '{expected}', found '{string.Join(',', found)}'");
        }
    }

    /// <summary>Reads <c>u.genre</c> (<c>name|index</c>, indices 0, 1, 2, ... in order).</summary>
    public static string[] ReadGenreNames(DelimitedTextReader reader, int maxRows)
    {
        var names = new List<string>();
        while (reader.ReadRecord())
        {
            CheckRowLimit(reader, names.Count, maxRows);
            reader.ExpectFieldCount(2, "genre, index");
            string name = reader.GetRequiredField(0, "genre name").ToString();
            ReadOnlySpan<char> index = reader.GetNumericId(1, "genre index");
            if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value != names.Count)
            {
                throw reader.Error($"expected genre index {names.Count} in field 2, found {DelimitedTextReader.Describe(index)}");
            }

            names.Add(name);
        }

        if (names.Count == 0)
        {
            throw reader.Error(NoRows(reader, "genre"));
        }

        return [.. names];
    }

    /// <summary>Reads ratings: <c>user, item, rating, Unix seconds</c> in whatever delimiter the reader splits on.</summary>
    public void ReadRatings(DelimitedTextReader reader)
    {
        int rows = 0;
        while (reader.ReadRecord())
        {
            CheckRowLimit(reader, rows, _maxRows);
            reader.ExpectFieldCount(4, RatingFields);
            string user = _strings.Get(reader.GetNumericId(0, "user id"));
            string item = _strings.Get(reader.GetNumericId(1, "movie id"));
            float rating = reader.ParseSingle(2, "rating");
            long timestamp = reader.ParseTimestamp(3, TimestampFormat.UnixSeconds);
            if (_builder.Refusal(rating, EventKind.Rating) is { } problem)
            {
                throw reader.Error($"expected a rating whose running sum stays finite in field 3, found {rating}: {problem}");
            }

            _builder.Add(user, item, rating, timestamp, EventKind.Rating);
            rows++;
        }

        if (rows == 0)
        {
            throw reader.Error(NoRows(reader, "rating"));
        }
    }

    /// <summary>Reads the 100K <c>u.item</c>: id, title, two dates, URL, then one 0/1 flag per genre.</summary>
    public void ReadItems100K(DelimitedTextReader reader, string[] genreNames)
    {
        int fieldCount = 5 + genreNames.Length;
        string fieldNames = $"movie id, title, release date, video release date, IMDb URL, {genreNames.Length} genre flags";
        int rows = 0;
        while (reader.ReadRecord())
        {
            CheckRowLimit(reader, rows, _maxRows);
            reader.ExpectFieldCount(fieldCount, fieldNames);
            ReadOnlySpan<char> id = reader.GetNumericId(0, "movie id");
            _genres.Clear();
            for (int g = 0; g < genreNames.Length; g++)
            {
                ReadOnlySpan<char> flag = reader.GetField(5 + g);
                if (flag is "1")
                {
                    _genres.Add(genreNames[g]);
                }
                else if (flag is not "0")
                {
                    throw reader.Error(
                        $"expected a genre flag 0 or 1 ({genreNames[g]}) in field {6 + g}, found {DelimitedTextReader.Describe(flag)}");
                }
            }

            AddMovie(id, reader.GetField(1));
            rows++;
        }

        if (rows == 0)
        {
            throw reader.Error(NoRows(reader, "movie"));
        }
    }

    /// <summary>Reads a catalogue of <c>movie id, title, genres</c> with <c>|</c>-separated genres (1M, 10M, latest).</summary>
    public void ReadMovies(DelimitedTextReader reader)
    {
        int rows = 0;
        while (reader.ReadRecord())
        {
            CheckRowLimit(reader, rows, _maxRows);
            reader.ExpectFieldCount(3, "movie id, title, genres");
            ReadOnlySpan<char> id = reader.GetNumericId(0, "movie id");
            ReadGenreList(reader.GetField(2));
            AddMovie(id, reader.GetField(1));
            rows++;
        }

        if (rows == 0)
        {
            throw reader.Error(NoRows(reader, "movie"));
        }
    }

    /// <summary>
    /// Reads tag applications (<c>user, item, tag, Unix seconds</c>); tags of items outside the dataset and empty
    /// tags are skipped.
    /// </summary>
    public void ReadTags(DelimitedTextReader reader)
    {
        for (int rows = 0; reader.ReadRecord(); rows++)
        {
            CheckRowLimit(reader, rows, _maxRows);
            reader.ExpectFieldCount(4, TagFields);
            reader.GetNumericId(0, "user id");
            ReadOnlySpan<char> id = reader.GetNumericId(1, "movie id");
            reader.ParseTimestamp(3, TimestampFormat.UnixSeconds);
            ReadOnlySpan<char> tag = reader.GetField(2).Trim();
            if (tag.IsEmpty || !_items.TryGetIndex(_strings.Get(id), out int index))
            {
                continue;
            }

            if (!_tags.TryGetValue(index, out List<string>? tags))
            {
                tags = [];
                _tags.Add(index, tags);
            }

            tags.Add(_strings.Get(tag));
        }
    }

    /// <summary>Attaches the collected attributes to the dataset's items and builds it.</summary>
    public InteractionDataset Build()
    {
        int itemCount = _items.Count;
        for (int index = 0; index < itemCount; index++)
        {
            bool hasMovie = _movies.TryGetValue(index, out Movie movie);
            bool hasTags = _tags.TryGetValue(index, out List<string>? tags);
            if (!hasMovie && !hasTags)
            {
                continue;
            }

            var attributes = new ItemAttributes
            {
                Title = movie.Title,
                Categories = movie.Genres ?? [],
                Tags = tags is null ? [] : [.. tags],
                Numeric = movie.Year is int year
                    ? new Dictionary<string, float>(1, StringComparer.Ordinal) { [MovieLens.YearAttribute] = year }
                    : ReadOnlyDictionary<string, float>.Empty,
            };
            _builder.SetItemAttributes(_items.GetId(index), attributes);
        }

        return _builder.Build();
    }

    /// <summary>The year of a title that ends in a four-digit year in parentheses, as MovieLens titles do: <c>Heat (1995)</c>.</summary>
    internal static int? ParseYear(ReadOnlySpan<char> title)
    {
        const int Suffix = 6; // "(1995)"
        if (title.Length < Suffix || title[^1] != ')' || title[^Suffix] != '(')
        {
            return null;
        }

        ReadOnlySpan<char> digits = title[^(Suffix - 1)..^1];
        return digits.ContainsAnyExceptInRange('0', '9') ? null : int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>Refuses the row after <paramref name="maxRows"/> rows (<see cref="MovieLensLoadOptions.MaxRows"/>).</summary>
    private static void CheckRowLimit(DelimitedTextReader reader, int rows, int maxRows)
    {
        if (rows >= maxRows)
        {
            throw reader.Error($"expected at most {maxRows} rows (the MaxRows limit), found more");
        }
    }

    private static string NoRows(DelimitedTextReader reader, string what) =>
        reader.LineNumber == 1 ? $"expected {what} rows, found an empty file" : $"expected at least one {what} row, found none";

    /// <summary>Fills <see cref="_genres"/> from a <c>|</c>-separated list; "(no genres listed)" means none.</summary>
    private void ReadGenreList(ReadOnlySpan<char> text)
    {
        _genres.Clear();
        text = text.Trim();
        if (text is NoGenresListed)
        {
            return;
        }

        foreach (Range range in text.Split('|'))
        {
            ReadOnlySpan<char> genre = text[range].Trim();
            if (!genre.IsEmpty)
            {
                _genres.Add(_strings.Get(genre));
            }
        }
    }

    /// <summary>Records a catalogue row with the genres in <see cref="_genres"/>, if the movie is an item of the dataset.</summary>
    private void AddMovie(ReadOnlySpan<char> id, ReadOnlySpan<char> title)
    {
        string itemId = _strings.Get(id);
        if (!_items.TryGetIndex(itemId, out int index))
        {
            if (!_includeUnratedItems)
            {
                return;
            }

            index = _items.GetOrAdd(itemId);
        }

        // Some MovieLens titles carry trailing spaces, for example "Two Friends (1986) " in the 100K release.
        title = title.Trim();
        _movies[index] = new Movie(title.IsEmpty ? null : title.ToString(), [.. _genres], ParseYear(title));
    }

    private readonly record struct Movie(string? Title, string[]? Genres, int? Year);
}
