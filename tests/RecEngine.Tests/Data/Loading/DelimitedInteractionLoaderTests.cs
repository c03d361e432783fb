using System.Text;
using RecEngine.Data;
using RecEngine.Data.Loading;

namespace RecEngine.Tests.Data.Loading;

public sealed class DelimitedInteractionLoaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Load_CsvWithHeaderAndNamedColumns_ReadsEveryRow()
    {
        string path = _folder.Write("events.csv", "timestamp,user,item,rating\r\n1000,u1,i1,4.5\r\n2000,u2,i1,3\r\n3000,u1,i2,0.5\r\n");
        var format = new DelimitedFormat
        {
            UserColumn = DelimitedColumn.Named("user"),
            ItemColumn = DelimitedColumn.Named("item"),
            ValueColumn = DelimitedColumn.Named("rating"),
            TimestampColumn = DelimitedColumn.Named("timestamp"),
        };

        InteractionDataset dataset = DelimitedInteractionLoader.Load(path, format);

        Assert.Equal(3, dataset.Count);
        Assert.Equal(2, dataset.UserCount);
        Assert.Equal(2, dataset.ItemCount);
        Assert.Equal(["u1", "u2"], [dataset.Users.GetId(0), dataset.Users.GetId(1)]);
        Assert.Equal(["i1", "i2"], [dataset.Items.GetId(0), dataset.Items.GetId(1)]);
        Assert.Equal([0, 1, 0], dataset.UserIndices.ToArray());
        Assert.Equal([0, 0, 1], dataset.ItemIndices.ToArray());
        Assert.Equal([4.5f, 3f, 0.5f], dataset.Values.ToArray());
        Assert.Equal([4.5f, 3f, 0.5f], dataset.Weights.ToArray());
        Assert.Equal([1_000_000L, 2_000_000L, 3_000_000L], dataset.Timestamps.ToArray());
        Assert.All(dataset.Kinds.ToArray(), kind => Assert.Equal(EventKind.Rating, kind));
    }

    [Fact]
    public void Load_TabSeparatedWithoutHeader_ReadsColumnsByIndex()
    {
        string path = _folder.Write("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n");
        var format = new DelimitedFormat
        {
            Delimiter = "\t",
            HasHeader = false,
            AllowQuotedFields = false,
            ValueColumn = DelimitedColumn.At(2),
            TimestampColumn = DelimitedColumn.At(3),
        };

        InteractionDataset dataset = DelimitedInteractionLoader.Load(path, format);

        Assert.Equal(new Interaction("196", "242", 3f, DateTimeOffset.FromUnixTimeSeconds(881250949)), dataset[0]);
        Assert.Equal(new Interaction("186", "302", 3f, DateTimeOffset.FromUnixTimeSeconds(891717742)), dataset[1]);
        Assert.Equal(881_250_949_000L, dataset.Timestamps[0]);
    }

    [Fact]
    public void Load_DoubleColonDelimiter_SplitsOnIt()
    {
        string path = _folder.Write("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n");
        var format = new DelimitedFormat
        {
            Delimiter = "::",
            HasHeader = false,
            ValueColumn = DelimitedColumn.At(2),
            TimestampColumn = DelimitedColumn.At(3),
        };

        InteractionDataset dataset = DelimitedInteractionLoader.Load(path, format);

        Assert.Equal(new Interaction("1", "661", 3f, DateTimeOffset.FromUnixTimeSeconds(978302109)), dataset[1]);
    }

    [Fact]
    public void Load_QuoteAsDelimiterWithQuotingOff_SplitsOnQuotes()
    {
        string path = _folder.Write("events.txt", "u1\"i1\nu2\"i2\n");
        var format = new DelimitedFormat { Delimiter = "\"", AllowQuotedFields = false, HasHeader = false };

        InteractionDataset dataset = DelimitedInteractionLoader.Load(path, format);

        Assert.Equal(new Interaction("u2", "i2", 1f, DateTimeOffset.UnixEpoch), dataset[1]);
    }

    [Fact]
    public void Load_QuotedIds_AreUnescaped()
    {
        string path = _folder.Write("events.csv", "user,item\n\"Smith, J.\",\"The \"\"Best\"\" Book\"\n");

        InteractionDataset dataset = DelimitedInteractionLoader.Load(path, new DelimitedFormat());

        Assert.Equal("Smith, J.", dataset.Users.GetId(0));
        Assert.Equal("The \"Best\" Book", dataset.Items.GetId(0));
    }

    [Fact]
    public void Load_NoValueTimestampOrKindColumn_UsesOneEpochAndTheDefaultKind()
    {
        string path = _folder.Write("clicks.csv", "user,item\nu1,i1\nu1,i2\n");
        var format = new DelimitedFormat { DefaultKind = EventKind.Click };

        InteractionDataset dataset = DelimitedInteractionLoader.Load(path, format);

        Assert.Equal([1f, 1f], dataset.Values.ToArray());
        Assert.Equal([2f, 2f], dataset.Weights.ToArray());
        Assert.Equal([0L, 0L], dataset.Timestamps.ToArray());
        Assert.Equal([EventKind.Click, EventKind.Click], dataset.Kinds.ToArray());
    }

    [Fact]
    public void Load_KindColumn_MapsKindsThroughTheEventWeights()
    {
        string path = _folder.Write("events.csv", "user,item,event\nu1,i1,view\nu1,i1,purchase\nu2,i2,like\n");
        var format = new DelimitedFormat { KindColumn = DelimitedColumn.Named("event") };
        EventWeights weights = new EventWeights().Set(new EventKind("like"), 3f);

        InteractionDataset dataset = DelimitedInteractionLoader.Load(path, format, weights);

        Assert.Equal([EventKind.View, EventKind.Purchase, new EventKind("like")], dataset.Kinds.ToArray());
        Assert.Equal([1f, 8f, 3f], dataset.Weights.ToArray());
    }

    [Fact]
    public void Load_UnknownKind_ThrowsNamingTheLine()
    {
        string path = _folder.Write("events.csv", "user,item,event\nu1,i1,view\nu1,i1,like\n");
        var format = new DelimitedFormat { KindColumn = DelimitedColumn.At(2) };

        DataFormatException error = Assert.Throws<DataFormatException>(() => DelimitedInteractionLoader.Load(path, format));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(3, error.LineNumber);
        Assert.Equal(
            "expected an event kind with a configured weight (add-to-cart, click, purchase, rating, view) in field 3, found 'like'",
            error.Detail);
    }

    [Fact]
    public void Load_UnknownKindAllowedByTheWeights_GetsTheDefaultWeight()
    {
        string path = _folder.Write("events.csv", "user,item,event\nu1,i1,like\n");
        var format = new DelimitedFormat { KindColumn = DelimitedColumn.At(2) };
        var weights = new EventWeights { RejectUnknownKinds = false, DefaultWeight = 0.5f };

        InteractionDataset dataset = DelimitedInteractionLoader.Load(path, format, weights);

        Assert.Equal(0.5f, dataset.Weights[0]);
    }

    [Fact]
    public void Load_UnixMillisecondsTimestamps_AreKeptAsIs()
    {
        string path = _folder.Write("events.csv", "u1,i1,881250949123\n");
        var format = new DelimitedFormat
        {
            HasHeader = false,
            TimestampColumn = DelimitedColumn.At(2),
            TimestampFormat = TimestampFormat.UnixMilliseconds,
        };

        Assert.Equal(881_250_949_123L, DelimitedInteractionLoader.Load(path, format).Timestamps[0]);
    }

    [Fact]
    public void Load_Iso8601Timestamps_AreConvertedToUnixMilliseconds()
    {
        string path = _folder.Write("events.csv", "user,item,at\nu1,i1,1997-12-04T15:55:49Z\nu1,i2,1997-12-04T17:55:49.25+02:00\n");
        var format = new DelimitedFormat { TimestampColumn = DelimitedColumn.Named("at"), TimestampFormat = TimestampFormat.Iso8601 };

        InteractionDataset dataset = DelimitedInteractionLoader.Load(path, format);

        Assert.Equal([881_250_949_000L, 881_250_949_250L], dataset.Timestamps.ToArray());
    }

    [Fact]
    public void Load_Stream_ReadsToTheEndAndLeavesTheStreamOpen()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("user,item\nu1,i1\nu2,i1\n"));

        InteractionDataset dataset = DelimitedInteractionLoader.Load(stream, new DelimitedFormat());

        Assert.Equal(2, dataset.Count);
        Assert.True(stream.CanRead);
    }

    [Fact]
    public void Load_StreamWithSourceName_NamesItInErrors()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("user,item,value\nu1,i1,x\n"));
        var format = new DelimitedFormat { ValueColumn = DelimitedColumn.At(2) };

        DataFormatException error = Assert.Throws<DataFormatException>(
            () => DelimitedInteractionLoader.Load(stream, format, sourceName: "blob://events/2024-05.csv"));

        Assert.Equal("blob://events/2024-05.csv", error.FilePath);
        Assert.Equal("blob://events/2024-05.csv:2: expected a number (value) in field 3, found 'x'", error.Message);
    }

    [Fact]
    public void Load_StreamWithoutSourceName_CallsItStream()
    {
        using var stream = new MemoryStream([]);
        Assert.Equal("stream", Assert.Throws<DataFormatException>(() => DelimitedInteractionLoader.Load(stream, new DelimitedFormat())).FilePath);
    }

    [Fact]
    public void Load_RowWithFewerFieldsThanTheHeader_ThrowsNamingTheLine()
    {
        string path = _folder.Write("events.csv", "user,item,rating\nu1,i1,4\nu2,i2\n");
        var format = new DelimitedFormat { ValueColumn = DelimitedColumn.At(2) };

        DataFormatException error = Assert.Throws<DataFormatException>(() => DelimitedInteractionLoader.Load(path, format));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(3, error.LineNumber);
        Assert.Equal("expected 3 comma-separated fields as in the header, found 2", error.Detail);
    }

    [Fact]
    public void Load_RowWithoutTheNeededColumnAndNoHeader_ThrowsNamingTheLine()
    {
        string path = _folder.Write("events.tsv", "u1\ti1\t4\nu2\ti2\n");
        var format = new DelimitedFormat { Delimiter = "\t", HasHeader = false, ValueColumn = DelimitedColumn.At(2) };

        DataFormatException error = Assert.Throws<DataFormatException>(() => DelimitedInteractionLoader.Load(path, format));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(2, error.LineNumber);
        Assert.Equal("expected at least 3 tab-separated fields, found 2", error.Detail);
    }

    [Fact]
    public void Load_DecimalCommaInUnquotedCsvValue_ThrowsAsAWrongFieldCount()
    {
        string path = _folder.Write("events.csv", "user,item,rating\r\nu1,i1,4\r\nu2,i2,4,5\r\n");
        var format = new DelimitedFormat { ValueColumn = DelimitedColumn.At(2), AllowQuotedFields = true };

        DataFormatException error = Assert.Throws<DataFormatException>(() => DelimitedInteractionLoader.Load(path, format));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(3, error.LineNumber);
        Assert.Equal("expected 3 comma-separated fields as in the header, found 4", error.Detail);
    }

    [Fact]
    public void Load_ValuesWhoseSumWouldOverflow_ThrowNamingTheLineAndTheValue()
    {
        // Both values are finite floats; summed as duplicates of (u1, i1) they would be infinite.
        string path = _folder.Write("events.csv", "user,item,rating\nu1,i1,3e38\nu2,i2,1\nu1,i1,3.4e38\n");
        var format = new DelimitedFormat { ValueColumn = DelimitedColumn.At(2) };

        DataFormatException error = Assert.Throws<DataFormatException>(() => DelimitedInteractionLoader.Load(path, format));

        Assert.Equal(4, error.LineNumber);
        Assert.StartsWith("expected a value whose weight and running sum stay finite in field 3, found 3.4E+38: ", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ValueWhoseKindWeightOverflowsIt_ThrowsNamingTheLineAndTheValue()
    {
        string path = _folder.Write("events.csv", "user,item,kind,value\nu1,i1,view,1e38\nu1,i2,purchase,1e38\n");
        var format = new DelimitedFormat { KindColumn = DelimitedColumn.At(2), ValueColumn = DelimitedColumn.At(3) };

        DataFormatException error = Assert.Throws<DataFormatException>(() => DelimitedInteractionLoader.Load(path, format));

        Assert.Equal(3, error.LineNumber);
        Assert.Contains($"found {1e38f}: The interaction's weight, 8 (the weight of kind 'purchase') times the value {1e38f}, overflows to {float.PositiveInfinity}.", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ValueThatIsNotANumber_ThrowsNamingTheLine()
    {
        string path = _folder.Write("events.csv", "user,item,rating\nu1,i1,4\nu2,i2,four\n");
        var format = new DelimitedFormat { ValueColumn = DelimitedColumn.At(2) };

        DataFormatException error = Assert.Throws<DataFormatException>(() => DelimitedInteractionLoader.Load(path, format));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(3, error.LineNumber);
        Assert.Equal("expected a number (value) in field 3, found 'four'", error.Detail);
    }

    [Fact]
    public void Load_BadTimestamp_ThrowsNamingTheLine()
    {
        string path = _folder.Write("events.csv", "user,item,ts\nu1,i1,2024-05-01\n");
        var format = new DelimitedFormat { TimestampColumn = DelimitedColumn.At(2) };

        DataFormatException error = Assert.Throws<DataFormatException>(() => DelimitedInteractionLoader.Load(path, format));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(2, error.LineNumber);
        Assert.Equal("expected a timestamp in Unix seconds in field 3, found '2024-05-01'", error.Detail);
    }

    [Fact]
    public void Load_EmptyUserId_ThrowsNamingTheLine()
    {
        string path = _folder.Write("events.csv", "user,item\nu1,i1\n,i2\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => DelimitedInteractionLoader.Load(path, new DelimitedFormat()));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(3, error.LineNumber);
        Assert.Equal("expected a user id in field 1, found an empty field", error.Detail);
    }

    [Fact]
    public void Load_InvalidUtf8_ThrowsNamingTheLine()
    {
        byte[] bytes = [.. "user,item\nu1,i1\nu2,caf"u8, 0xE9, .. "\n"u8];
        string path = _folder.Write("events.csv", bytes);

        DataFormatException error = Assert.Throws<DataFormatException>(() => DelimitedInteractionLoader.Load(path, new DelimitedFormat()));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(3, error.LineNumber);
        Assert.Equal("expected UTF-8 text, found the byte 0xE9 at byte 7 of the line, which is not valid UTF-8 there", error.Detail);
    }

    [Fact]
    public void Load_EmptyFile_ThrowsAtLineOne()
    {
        string path = _folder.Write("events.csv", "");

        DataFormatException error = Assert.Throws<DataFormatException>(() => DelimitedInteractionLoader.Load(path, new DelimitedFormat()));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(1, error.LineNumber);
        Assert.Equal("expected a header row, found an empty file", error.Detail);
    }

    [Fact]
    public void Load_EmptyFileWithoutHeader_ThrowsAtLineOne()
    {
        string path = _folder.Write("events.csv", "");

        DataFormatException error = Assert.Throws<DataFormatException>(
            () => DelimitedInteractionLoader.Load(path, new DelimitedFormat { HasHeader = false }));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(1, error.LineNumber);
        Assert.Equal("expected interactions, found an empty file", error.Detail);
    }

    [Fact]
    public void Load_HeaderOnly_ThrowsAtTheLineAfterIt()
    {
        string path = _folder.Write("events.csv", "user,item\r\n");

        DataFormatException error = Assert.Throws<DataFormatException>(() => DelimitedInteractionLoader.Load(path, new DelimitedFormat()));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(2, error.LineNumber);
        Assert.Equal("expected at least one interaction row, found none", error.Detail);
    }

    [Fact]
    public void Load_NamedColumnMissingFromHeader_ThrowsAtTheHeader()
    {
        string path = _folder.Write("events.csv", "userId,movieId\nu1,i1\n");
        var format = new DelimitedFormat { UserColumn = DelimitedColumn.Named("userId"), ItemColumn = DelimitedColumn.Named("itemId") };

        DataFormatException error = Assert.Throws<DataFormatException>(() => DelimitedInteractionLoader.Load(path, format));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(1, error.LineNumber);
        Assert.Equal("expected a column named 'itemId' (ItemColumn) in the header, found 'userId', 'movieId'", error.Detail);
    }

    [Fact]
    public void Load_LineLongerThanMaxLineLength_ThrowsNamingTheLine()
    {
        string path = _folder.Write("events.csv", "user,item\nu1,i1\nu2," + new string('i', 100) + "\n");
        var format = new DelimitedFormat { MaxLineLength = 64 };

        DataFormatException error = Assert.Throws<DataFormatException>(() => DelimitedInteractionLoader.Load(path, format));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(3, error.LineNumber);
        Assert.Equal("expected a line of at most 64 bytes (the line length limit), found a longer one", error.Detail);
    }

    [Fact]
    public void Load_MoreRowsThanMaxRows_ThrowsAtTheFirstRowOverTheLimit()
    {
        string path = _folder.Write("events.csv", "user,item\nu1,i1\n\nu1,i2\nu1,i3\n");
        var format = new DelimitedFormat { MaxRows = 2 };

        DataFormatException error = Assert.Throws<DataFormatException>(() => DelimitedInteractionLoader.Load(path, format));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(5, error.LineNumber);
        Assert.Equal("expected at most 2 rows (the MaxRows limit), found more", error.Detail);
    }

    [Fact]
    public void Load_ExactlyMaxRows_Succeeds()
    {
        string path = _folder.Write("events.csv", "user,item\nu1,i1\nu1,i2\n");
        Assert.Equal(2, DelimitedInteractionLoader.Load(path, new DelimitedFormat { MaxRows = 2 }).Count);
    }

    [Fact]
    public void Load_BlankLines_AreSkipped()
    {
        string path = _folder.Write("events.csv", "user,item\n\nu1,i1\r\n\r\nu1,i2\n\n");
        Assert.Equal(2, DelimitedInteractionLoader.Load(path, new DelimitedFormat()).Count);
    }

    [Fact]
    public void Load_BlankLineWhenNotSkipped_ThrowsNamingTheLine()
    {
        string path = _folder.Write("events.csv", "user,item\nu1,i1\n\nu1,i2\n");

        DataFormatException error = Assert.Throws<DataFormatException>(
            () => DelimitedInteractionLoader.Load(path, new DelimitedFormat { SkipBlankLines = false }));

        Assert.Equal(path, error.FilePath);
        Assert.Equal(3, error.LineNumber);
        Assert.Equal("expected 2 comma-separated fields as in the header, found 1", error.Detail);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFoundNamingTheFile()
    {
        string path = Path.Combine(_folder.Path, "nowhere", "events.csv");

        FileNotFoundException error = Assert.Throws<FileNotFoundException>(() => DelimitedInteractionLoader.Load(path, new DelimitedFormat()));

        Assert.Equal(path, error.FileName);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InvalidFormat_ThrowsArgumentExceptionBeforeReading()
    {
        string path = Path.Combine(_folder.Path, "not-read.csv");
        var format = new DelimitedFormat { HasHeader = false, UserColumn = DelimitedColumn.Named("user") };

        ArgumentException error = Assert.Throws<ArgumentException>(() => DelimitedInteractionLoader.Load(path, format));

        Assert.Equal(nameof(DelimitedFormat.UserColumn), error.ParamName);
    }

    [Fact]
    public void Load_DefaultKindWithoutWeight_ThrowsArgumentException()
    {
        string path = _folder.Write("events.csv", "user,item\nu1,i1\n");
        var format = new DelimitedFormat { DefaultKind = new EventKind("like") };

        Assert.Equal("format", Assert.Throws<ArgumentException>(() => DelimitedInteractionLoader.Load(path, format)).ParamName);
    }

    [Fact]
    public void Load_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => DelimitedInteractionLoader.Load((string)null!, new DelimitedFormat()));
        Assert.Throws<ArgumentNullException>(() => DelimitedInteractionLoader.Load((Stream)null!, new DelimitedFormat()));
        Assert.Throws<ArgumentNullException>(() => DelimitedInteractionLoader.Load("x.csv", null!));
    }
}
