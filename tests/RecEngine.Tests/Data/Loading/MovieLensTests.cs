using RecEngine.Data;
using RecEngine.Data.Loading;

namespace RecEngine.Tests.Data.Loading;

public sealed class MovieLensTests : IDisposable
{
    private const string Url = "http://us.imdb.com/M/title-exact?x";

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // ---- 100K -------------------------------------------------------------------------------------------------

    [Fact]
    public void Load100K_ValidFolder_ReadsEveryRating()
    {
        Write100K();

        InteractionDataset dataset = MovieLens.Load100K(_folder.Path);

        Assert.Equal(5, dataset.Count);
        Assert.Equal(3, dataset.UserCount);
        Assert.Equal(4, dataset.ItemCount);
        Assert.Equal(new Interaction("196", "242", 3f, DateTimeOffset.FromUnixTimeSeconds(881250949), EventKind.Rating), dataset[0]);
        Assert.Equal(new Interaction("186", "302", 3f, DateTimeOffset.FromUnixTimeSeconds(891717742), EventKind.Rating), dataset[1]);
        Assert.Equal(new Interaction("22", "1", 1f, DateTimeOffset.FromUnixTimeSeconds(878887116), EventKind.Rating), dataset[2]);
        Assert.Equal(new Interaction("196", "1", 5f, DateTimeOffset.FromUnixTimeSeconds(881251000), EventKind.Rating), dataset[3]);
        Assert.Equal(new Interaction("186", "1005", 4f, DateTimeOffset.FromUnixTimeSeconds(891717800), EventKind.Rating), dataset[4]);
        Assert.Equal([0, 1, 2, 0, 1], dataset.UserIndices.ToArray());
        Assert.Equal([0, 1, 2, 2, 3], dataset.ItemIndices.ToArray());
        Assert.Equal([881_250_949_000L, 891_717_742_000L, 878_887_116_000L, 881_251_000_000L, 891_717_800_000L], dataset.Timestamps.ToArray());
        Assert.Equal([3f, 3f, 1f, 5f, 4f], dataset.Weights.ToArray());
    }

    [Fact]
    public void Load100K_ItemFile_GivesTitlesGenresAndYears()
    {
        Write100K();

        InteractionDataset dataset = MovieLens.Load100K(_folder.Path);

        ItemAttributes toyStory = Attributes(dataset, "1");
        Assert.Equal("Toy Story (1995)", toyStory.Title);
        Assert.Equal(["Animation", "Children's", "Comedy"], toyStory.Categories);
        Assert.Equal(1995f, toyStory.Numeric[MovieLens.YearAttribute]);
        Assert.Empty(toyStory.Tags);

        ItemAttributes laConfidential = Attributes(dataset, "302");
        Assert.Equal("L.A. Confidential (1997)", laConfidential.Title);
        Assert.Equal(["Crime", "Film-Noir", "Mystery", "Thriller"], laConfidential.Categories);

        // ISO-8859-1 title; the trailing space some 100K titles carry is removed.
        ItemAttributes veronique = Attributes(dataset, "1005");
        Assert.Equal("Double vie de Véronique, La (1991)", veronique.Title);
        Assert.Equal(1991f, veronique.Numeric[MovieLens.YearAttribute]);

        ItemAttributes unknown = Attributes(dataset, "242");
        Assert.Equal("unknown", unknown.Title);
        Assert.Equal(["unknown"], unknown.Categories);
        Assert.Empty(unknown.Numeric);
    }

    [Fact]
    public void Load100K_UnratedCatalogueMovie_IsNotAnItem()
    {
        Write100K();

        InteractionDataset dataset = MovieLens.Load100K(_folder.Path);

        Assert.False(dataset.Items.TryGetIndex("543", out _));
        Assert.Equal(4, dataset.ItemCount);
        Assert.Equal(4, dataset.Catalog.Count);
        Assert.Equal(4, dataset.Catalog.DescribedCount);
    }

    [Fact]
    public void Load100K_IncludeUnratedItems_AddsThemAfterTheRatedOnes()
    {
        Write100K();

        InteractionDataset dataset = MovieLens.Load100K(_folder.Path, new MovieLensLoadOptions { IncludeUnratedItems = true });

        Assert.Equal(5, dataset.ItemCount);
        Assert.Equal(5, dataset.Count);
        Assert.True(dataset.Items.TryGetIndex("543", out int index));
        Assert.Equal(4, index);
        Assert.Equal("Misérables, Les (1995)", dataset.Catalog[index].Title);
        Assert.Equal(["Drama", "Romance"], dataset.Catalog[index].Categories);
        Assert.Equal(4, dataset.CountActiveItems());
    }

    [Fact]
    public void Load100K_GenreFile_NamesTheFlagColumns()
    {
        _folder.WriteLatin1("u.data", "1\t10\t4\t100\n");
        _folder.WriteLatin1("u.genre", "Drama|0\nComedy|1\nHorror|2\n\n");
        _folder.WriteLatin1("u.item", $"10|Scream (1996)|01-Jan-1996||{Url}|0|1|1\n");

        InteractionDataset dataset = MovieLens.Load100K(_folder.Path);

        Assert.Equal(["Comedy", "Horror"], dataset.Catalog[0].Categories);
    }

    [Fact]
    public void Load100K_GenreFileOutOfOrder_ThrowsNamingTheLine()
    {
        Write100K();
        string genres = _folder.WriteLatin1("u.genre", "unknown|0\nAction|2\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.Load100K(_folder.Path));

        Assert.Equal(genres, error.FilePath);
        Assert.Equal(2, error.LineNumber);
        Assert.Equal("expected genre index 1 in field 2, found '2'", error.Detail);
    }

    [Fact]
    public void Load100K_RatingLineWithThreeFields_ThrowsNamingFileAndLine()
    {
        Write100K();
        string ratings = _folder.WriteLatin1("u.data", "196\t242\t3\t881250949\n186\t302\t3\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.Load100K(_folder.Path));

        Assert.Equal(ratings, error.FilePath);
        Assert.Equal(2, error.LineNumber);
        Assert.Equal($"{ratings}:2: expected 4 tab-separated fields (user, item, rating, timestamp), found 3", error.Message);
    }

    [Fact]
    public void Load100K_RatingThatIsNotANumber_ThrowsNamingTheLine()
    {
        Write100K();
        string ratings = _folder.WriteLatin1("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t1\tx\t878887116\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.Load100K(_folder.Path));

        Assert.Equal(ratings, error.FilePath);
        Assert.Equal(3, error.LineNumber);
        Assert.Equal("expected a number (rating) in field 3, found 'x'", error.Detail);
    }

    [Fact]
    public void Load100K_RatingsWhoseSumWouldOverflow_ThrowNamingTheLine()
    {
        Write100K();
        string ratings = _folder.WriteLatin1("u.data", "196\t242\t3e38\t881250949\n196\t242\t3e38\t891717742\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.Load100K(_folder.Path));

        Assert.Equal(ratings, error.FilePath);
        Assert.Equal(2, error.LineNumber);
        Assert.StartsWith("expected a rating whose running sum stays finite in field 3, found 3E+38: ", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Load100K_MoreRowsThanMaxRows_ThrowsAtTheFirstRowOverTheLimit()
    {
        Write100K();
        string ratings = _folder.WriteLatin1("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t1\t4\t878887116\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.Load100K(_folder.Path, new MovieLensLoadOptions { MaxRows = 2 }));

        Assert.Equal(ratings, error.FilePath);
        Assert.Equal(3, error.LineNumber);
        Assert.Equal("expected at most 2 rows (the MaxRows limit), found more", error.Detail);
    }

    [Fact]
    public void Load100K_LineLongerThanMaxLineLength_ThrowsNamingTheLine()
    {
        Write100K();
        string ratings = _folder.WriteLatin1("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742" + new string(' ', 200) + "\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.Load100K(_folder.Path, new MovieLensLoadOptions { MaxLineLength = 64 }));

        Assert.Equal(ratings, error.FilePath);
        Assert.Equal(2, error.LineNumber);
    }

    [Theory]
    [InlineData(0, 100, "MaxRows")]
    [InlineData(10, 0, "MaxLineLength")]
    public void Load_LimitsBelowOne_ThrowNamingTheOption(int maxRows, int maxLineLength, string name)
    {
        Write100K();

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(
            () => MovieLens.Load100K(_folder.Path, new MovieLensLoadOptions { MaxRows = maxRows, MaxLineLength = maxLineLength }));

        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public void Load100K_UserIdThatIsNotANumber_ThrowsNamingTheLine()
    {
        Write100K();
        string ratings = _folder.WriteLatin1("u.data", "u196\t242\t3\t881250949\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.Load100K(_folder.Path));

        Assert.Equal(ratings, error.FilePath);
        Assert.Equal(1, error.LineNumber);
        Assert.Equal("expected a numeric user id in field 1, found 'u196'", error.Detail);
    }

    [Fact]
    public void Load100K_BadGenreFlag_ThrowsNamingTheLine()
    {
        Write100K();
        string items = _folder.WriteLatin1("u.item", $"1|Toy Story (1995)|01-Jan-1995||{Url}|{Flags(3, 4, 5)}\n242|Kolya (1996)|||{Url}|{Flags(5)[..^1]}2\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.Load100K(_folder.Path));

        Assert.Equal(items, error.FilePath);
        Assert.Equal(2, error.LineNumber);
        Assert.Equal("expected a genre flag 0 or 1 (Western) in field 24, found '2'", error.Detail);
    }

    [Fact]
    public void Load100K_ItemLineWithMissingFlags_ThrowsNamingTheLine()
    {
        Write100K();
        string items = _folder.WriteLatin1("u.item", $"1|Toy Story (1995)|01-Jan-1995||{Url}|0|0|1\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.Load100K(_folder.Path));

        Assert.Equal(items, error.FilePath);
        Assert.Equal(1, error.LineNumber);
        Assert.Equal(
            "expected 24 pipe-separated fields (movie id, title, release date, video release date, IMDb URL, 19 genre flags), found 8",
            error.Detail);
    }

    [Fact]
    public void Load100K_EmptyRatingFile_ThrowsAtLineOne()
    {
        Write100K();
        string ratings = _folder.WriteLatin1("u.data", "");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.Load100K(_folder.Path));

        Assert.Equal(ratings, error.FilePath);
        Assert.Equal(1, error.LineNumber);
        Assert.Equal("expected rating rows, found an empty file", error.Detail);
    }

    [Fact]
    public void Load100K_LineOverTheLengthLimit_ThrowsNamingTheLine()
    {
        Write100K();
        string items = _folder.WriteLatin1("u.item", $"1|Toy Story (1995)|01-Jan-1995||{Url}|{Flags(3)}\n2|{new string('x', 2 << 20)}\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.Load100K(_folder.Path));

        Assert.Equal(items, error.FilePath);
        Assert.Equal(2, error.LineNumber);
        Assert.Equal("expected a line of at most 1048576 bytes (the line length limit), found a longer one", error.Detail);
    }

    [Fact]
    public void Load100K_MissingItemFile_ThrowsFileNotFoundNamingIt()
    {
        _folder.WriteLatin1("u.data", "196\t242\t3\t881250949\n");

        FileNotFoundException error = Assert.Throws<FileNotFoundException>(() => MovieLens.Load100K(_folder.Path));

        Assert.Equal(Path.Combine(_folder.Path, "u.item"), error.FileName);
        Assert.Contains("u.item", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load100K_MissingFolder_ThrowsDirectoryNotFound()
    {
        string folder = Path.Combine(_folder.Path, "ml-100k");
        Assert.Contains(folder, Assert.Throws<DirectoryNotFoundException>(() => MovieLens.Load100K(folder)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load100K_NullOrEmptyFolder_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => MovieLens.Load100K(null!));
        Assert.Throws<ArgumentException>(() => MovieLens.Load100K(""));
    }

    // ---- 1M ---------------------------------------------------------------------------------------------------

    [Fact]
    public void Load1M_ValidFolder_ReadsRatingsAndLatin1Movies()
    {
        _folder.WriteLatin1("ratings.dat", "1::1193::5::978300760\r\n1::661::3::978302109\r\n2::1193::4::978298413\r\n");
        _folder.WriteLatin1("movies.dat",
            "1::Toy Story (1995)::Animation|Children's|Comedy\r\n" +
            "661::James and the Giant Peach (1996)::Animation|Children's|Musical\r\n" +
            "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\r\n" +
            "3086::Misérables, Les (1935)::Drama\r\n");

        InteractionDataset dataset = MovieLens.Load1M(_folder.Path);

        Assert.Equal(3, dataset.Count);
        Assert.Equal(2, dataset.UserCount);
        Assert.Equal(2, dataset.ItemCount);
        Assert.Equal(new Interaction("1", "661", 3f, DateTimeOffset.FromUnixTimeMilliseconds(978_302_109_000)), dataset[1]);
        Assert.Equal([0, 1, 0], dataset.ItemIndices.ToArray());
        ItemAttributes cuckoo = Attributes(dataset, "1193");
        Assert.Equal("One Flew Over the Cuckoo's Nest (1975)", cuckoo.Title);
        Assert.Equal(["Drama"], cuckoo.Categories);
        Assert.Equal(1975f, cuckoo.Numeric[MovieLens.YearAttribute]);
        Assert.Equal(["Animation", "Children's", "Musical"], Attributes(dataset, "661").Categories);

        InteractionDataset withCatalogue = MovieLens.Load1M(_folder.Path, new MovieLensLoadOptions { IncludeUnratedItems = true });
        Assert.Equal(["1193", "661", "1", "3086"], Enumerable.Range(0, withCatalogue.ItemCount).Select(withCatalogue.Items.GetId));
        Assert.Equal("Misérables, Les (1935)", withCatalogue.Catalog[3].Title);
    }

    [Fact]
    public void Load1M_RatingLineWithThreeFields_ThrowsNamingFileAndLine()
    {
        string ratings = _folder.WriteLatin1("ratings.dat", "1::1193::5::978300760\n1::661::3\n");
        _folder.WriteLatin1("movies.dat", "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.Load1M(_folder.Path));

        Assert.Equal(ratings, error.FilePath);
        Assert.Equal(2, error.LineNumber);
        Assert.Equal("expected 4 '::'-separated fields (user, item, rating, timestamp), found 3", error.Detail);
    }

    [Fact]
    public void Load1M_MissingRatingFile_ThrowsFileNotFoundNamingIt()
    {
        _folder.WriteLatin1("movies.dat", "1::Toy Story (1995)::Animation\n");
        Assert.Equal(
            Path.Combine(_folder.Path, "ratings.dat"),
            Assert.Throws<FileNotFoundException>(() => MovieLens.Load1M(_folder.Path)).FileName);
    }

    // ---- 10M --------------------------------------------------------------------------------------------------

    [Fact]
    public void Load10M_ValidFolder_ReadsHalfStarRatingsUtf8MoviesAndTags()
    {
        Write10M();

        InteractionDataset dataset = MovieLens.Load10M(_folder.Path);

        Assert.Equal(3, dataset.Count);
        Assert.Equal([5f, 3.5f, 0.5f], dataset.Values.ToArray());
        Assert.Equal([838_985_046_000L, 838_983_525_000L, 1_230_000_000_000L], dataset.Timestamps.ToArray());
        Assert.Equal(2, dataset.ItemCount);
        ItemAttributes boomerang = Attributes(dataset, "122");
        Assert.Equal("Boomerang (1992)", boomerang.Title);
        Assert.Equal(["Comedy", "Romance"], boomerang.Categories);
        Assert.Equal(["dark comedy", "Nyû Yôku", "dark comedy"], boomerang.Tags);
        ItemAttributes noGenres = Attributes(dataset, "8606");
        Assert.Equal("Pull My Daisy (1958)", noGenres.Title);
        Assert.Empty(noGenres.Categories);
        Assert.Empty(noGenres.Tags);
        Assert.Equal(3, dataset.Catalog.TagCount);
    }

    [Fact]
    public void Load10M_IncludeUnratedItems_KeepsTheirTags()
    {
        Write10M();

        InteractionDataset dataset = MovieLens.Load10M(_folder.Path, new MovieLensLoadOptions { IncludeUnratedItems = true });

        Assert.Equal(3, dataset.ItemCount);
        Assert.Equal(["Sci-Fi classic"], Attributes(dataset, "185").Tags);
        Assert.Equal(4, dataset.Catalog.TagCount);
    }

    [Fact]
    public void Load10M_WithoutTagFile_LoadsWithoutTags()
    {
        Write10M();
        File.Delete(Path.Combine(_folder.Path, "tags.dat"));

        InteractionDataset dataset = MovieLens.Load10M(_folder.Path);

        Assert.Equal(0, dataset.Catalog.TagCount);
        Assert.Equal("Boomerang (1992)", Attributes(dataset, "122").Title);
    }

    [Fact]
    public void Load10M_InvalidUtf8InMovies_ThrowsNamingTheLine()
    {
        Write10M();
        string movies = _folder.Write("movies.dat", [.. "122::Boomerang (1992)::Comedy|Romance\n185::Net, The (1995)::Action\n"u8, .. "8606::Pull My Daisy (1958)::D"u8, 0xFF, .. "\n"u8]);

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.Load10M(_folder.Path));

        Assert.Equal(movies, error.FilePath);
        Assert.Equal(3, error.LineNumber);
        Assert.Equal("expected UTF-8 text, found the byte 0xFF at byte 30 of the line, which is not valid UTF-8 there", error.Detail);
    }

    [Fact]
    public void Load10M_TagLineWithMissingField_ThrowsNamingTheLine()
    {
        Write10M();
        string tags = _folder.Write("tags.dat", "15::122::dark comedy::1188263867\n20::122::1188263880\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.Load10M(_folder.Path));

        Assert.Equal(tags, error.FilePath);
        Assert.Equal(2, error.LineNumber);
        Assert.Equal("expected 4 '::'-separated fields (user, item, tag, timestamp), found 3", error.Detail);
    }

    // ---- latest -----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    public void LoadLatest_ValidFolder_ReadsEveryRatingWithEitherLineEnd(string lineEnd)
    {
        WriteLatest(lineEnd);

        InteractionDataset dataset = MovieLens.LoadLatest(_folder.Path);

        Assert.Equal(5, dataset.Count);
        Assert.Equal(2, dataset.UserCount);
        Assert.Equal(4, dataset.ItemCount);
        Assert.Equal(["1", "3", "11", "7789"], Enumerable.Range(0, dataset.ItemCount).Select(dataset.Items.GetId));
        Assert.Equal(new Interaction("1", "1", 4f, DateTimeOffset.FromUnixTimeSeconds(964982703)), dataset[0]);
        Assert.Equal(new Interaction("2", "7789", 3.5f, DateTimeOffset.FromUnixTimeSeconds(1445714994)), dataset[4]);
        Assert.Equal([0, 0, 0, 1, 1], dataset.UserIndices.ToArray());
        Assert.Equal([0, 1, 2, 2, 3], dataset.ItemIndices.ToArray());
        Assert.Equal([4f, 4f, 5f, 2.5f, 3.5f], dataset.Values.ToArray());
        Assert.Equal([964_982_703_000L, 964_981_247_000L, 964_982_224_000L, 1_445_714_835_000L, 1_445_714_994_000L], dataset.Timestamps.ToArray());
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    public void LoadLatest_QuotedTitlesAndTags_AreUnescaped(string lineEnd)
    {
        WriteLatest(lineEnd);

        InteractionDataset dataset = MovieLens.LoadLatest(_folder.Path);

        ItemAttributes president = Attributes(dataset, "11");
        Assert.Equal("American President, The (1995)", president.Title);
        Assert.Equal(["Comedy", "Drama", "Romance"], president.Categories);
        Assert.Equal(1995f, president.Numeric[MovieLens.YearAttribute]);
        Assert.Equal(["\"artsy\"", "politics, sort of", "politics, sort of"], president.Tags);

        ItemAttributes september = Attributes(dataset, "7789");
        Assert.Equal("11'09\"01 - September 11 (2002)", september.Title);
        Assert.Equal(2002f, september.Numeric[MovieLens.YearAttribute]);

        ItemAttributes noGenres = Attributes(dataset, "3");
        Assert.Equal("Babylon 5", noGenres.Title);
        Assert.Empty(noGenres.Categories);
        Assert.Empty(noGenres.Numeric);

        Assert.Equal(["Adventure", "Animation", "Children", "Comedy", "Fantasy"], Attributes(dataset, "1").Categories);
        Assert.Equal(3, dataset.Catalog.TagCount);
    }

    [Fact]
    public void LoadLatest_IncludeUnratedItems_AddsCatalogueMoviesAndTheirTags()
    {
        WriteLatest("\r\n");

        InteractionDataset dataset = MovieLens.LoadLatest(_folder.Path, new MovieLensLoadOptions { IncludeUnratedItems = true });

        Assert.Equal(5, dataset.ItemCount);
        Assert.Equal("4", dataset.Items.GetId(4));
        Assert.Equal("Waiting to Exhale (1995)", dataset.Catalog[4].Title);
        Assert.Equal(["chick flick"], dataset.Catalog[4].Tags);
        Assert.Equal(4, dataset.Catalog.TagCount);
    }

    [Fact]
    public void LoadLatest_WrongHeader_ThrowsAtLineOne()
    {
        WriteLatest("\r\n");
        string ratings = _folder.Write("ratings.csv", "user,movie,rating,timestamp\r\n1,1,4.0,964982703\r\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.LoadLatest(_folder.Path));

        Assert.Equal(ratings, error.FilePath);
        Assert.Equal(1, error.LineNumber);
        Assert.Equal("expected the header row 'userId,movieId,rating,timestamp', found 'user,movie,rating,timestamp'", error.Detail);
    }

    [Fact]
    public void LoadLatest_EmptyRatingFile_ThrowsAtLineOne()
    {
        WriteLatest("\r\n");
        string ratings = _folder.Write("ratings.csv", "");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.LoadLatest(_folder.Path));

        Assert.Equal(ratings, error.FilePath);
        Assert.Equal(1, error.LineNumber);
        Assert.Equal("expected the header row 'userId,movieId,rating,timestamp', found an empty file", error.Detail);
    }

    [Fact]
    public void LoadLatest_HeaderOnlyRatingFile_ThrowsAtLineTwo()
    {
        WriteLatest("\r\n");
        string ratings = _folder.Write("ratings.csv", "userId,movieId,rating,timestamp\r\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.LoadLatest(_folder.Path));

        Assert.Equal(ratings, error.FilePath);
        Assert.Equal(2, error.LineNumber);
        Assert.Equal("expected at least one rating row, found none", error.Detail);
    }

    [Fact]
    public void LoadLatest_BadTimestamp_ThrowsNamingTheLine()
    {
        WriteLatest("\r\n");
        string ratings = _folder.Write("ratings.csv", "userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,3,4.0,9649.81247\r\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.LoadLatest(_folder.Path));

        Assert.Equal(ratings, error.FilePath);
        Assert.Equal(3, error.LineNumber);
        Assert.Equal("expected a timestamp in Unix seconds in field 4, found '9649.81247'", error.Detail);
    }

    [Fact]
    public void LoadLatest_InvalidUtf8InTags_ThrowsNamingTheLine()
    {
        WriteLatest("\r\n");
        string tags = _folder.Write("tags.csv", [.. "userId,movieId,tag,timestamp\r\n2,11,funny,1445714994\r\n2,11,caf"u8, 0xE9, .. ",1445714996\r\n"u8]);

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.LoadLatest(_folder.Path));

        Assert.Equal(tags, error.FilePath);
        Assert.Equal(3, error.LineNumber);
    }

    [Fact]
    public void LoadLatest_UnclosedQuoteInMovies_ThrowsAtTheLineWhereItOpens()
    {
        WriteLatest("\r\n");
        string movies = _folder.Write("movies.csv", "movieId,title,genres\r\n1,Toy Story (1995),Comedy\r\n11,\"American President, The (1995),Comedy\r\n3,Babylon 5,Drama\r\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => MovieLens.LoadLatest(_folder.Path));

        Assert.Equal(movies, error.FilePath);
        Assert.Equal(3, error.LineNumber);
        Assert.Equal("expected a closing quote for field 2, found the end of the file", error.Detail);
    }

    [Fact]
    public void LoadLatest_MissingMovieFile_ThrowsFileNotFoundNamingIt()
    {
        _folder.Write("ratings.csv", "userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n");
        Assert.Equal(
            Path.Combine(_folder.Path, "movies.csv"),
            Assert.Throws<FileNotFoundException>(() => MovieLens.LoadLatest(_folder.Path)).FileName);
    }

    // ---- fixtures ---------------------------------------------------------------------------------------------

    private static ItemAttributes Attributes(InteractionDataset dataset, string itemId)
    {
        Assert.True(dataset.Items.TryGetIndex(itemId, out int index), $"item {itemId} is not in the dataset");
        Assert.True(dataset.Catalog.HasAttributes(index), $"item {itemId} has no attributes");
        return dataset.Catalog[index];
    }

    /// <summary>The 19 genre flags of a u.item line with the given (0-based) genres set.</summary>
    private static string Flags(params int[] genres) =>
        string.Join('|', Enumerable.Range(0, 19).Select(g => genres.Contains(g) ? "1" : "0"));

    private void Write100K()
    {
        _folder.WriteLatin1("u.data",
            "196\t242\t3\t881250949\n" +
            "186\t302\t3\t891717742\n" +
            "22\t1\t1\t878887116\n" +
            "196\t1\t5\t881251000\n" +
            "186\t1005\t4\t891717800\n");

        // Genres by index: 0 unknown, 3 Animation, 4 Children's, 5 Comedy, 6 Crime, 8 Drama, 10 Film-Noir,
        // 13 Mystery, 14 Romance, 16 Thriller.
        _folder.WriteLatin1("u.item",
            $"1|Toy Story (1995)|01-Jan-1995||{Url}|{Flags(3, 4, 5)}\n" +
            $"242|unknown||||{Flags(0)}\n" +
            $"302|L.A. Confidential (1997)|01-Jan-1997||{Url}|{Flags(6, 10, 13, 16)}\n" +
            $"543|Misérables, Les (1995)|01-Jan-1995||{Url}|{Flags(8, 14)}\n" +
            $"1005|Double vie de Véronique, La (1991) |01-Jan-1991||{Url}|{Flags(8)}\n");
    }

    private void Write10M()
    {
        _folder.Write("ratings.dat", "1::122::5::838985046\n1::8606::3.5::838983525\n2::122::0.5::1230000000\n");
        _folder.Write("movies.dat",
            "122::Boomerang (1992)::Comedy|Romance\n" +
            "185::Net, The (1995)::Action|Crime|Thriller\n" +
            "8606::Pull My Daisy (1958)::(no genres listed)\n");
        _folder.Write("tags.dat",
            "15::122::dark comedy::1188263867\n" +
            "20::185::Sci-Fi classic::1188263880\n" +
            "21::122::Nyû Yôku::1188263890\n" +
            "22::122::dark comedy::1188263900\n");
    }

    private void WriteLatest(string lineEnd)
    {
        string Lines(params string[] lines) => string.Concat(lines.Select(line => line + lineEnd));

        _folder.Write("ratings.csv", Lines(
            "userId,movieId,rating,timestamp",
            "1,1,4.0,964982703",
            "1,3,4.0,964981247",
            "1,11,5.0,964982224",
            "2,11,2.5,1445714835",
            "2,7789,3.5,1445714994"));
        _folder.Write("movies.csv", Lines(
            "movieId,title,genres",
            "1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy",
            "3,Babylon 5,(no genres listed)",
            "4,Waiting to Exhale (1995),Comedy|Drama|Romance",
            "11,\"American President, The (1995)\",Comedy|Drama|Romance",
            "7789,\"11'09\"\"01 - September 11 (2002)\",Drama"));
        _folder.Write("tags.csv", Lines(
            "userId,movieId,tag,timestamp",
            "567,11,\"\"\"artsy\"\"\",1525285878",
            "2,4,chick flick,1445714996",
            "62,11,\"politics, sort of\",1528843929",
            "63,11,\"politics, sort of\",1528843930",
            "64,99999,orphan,1528843931"));
    }
}
