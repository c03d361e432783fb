using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RecEngine.Data.Loading;

namespace RecEngine.Tests.Data.Loading;

public sealed class DelimitedTextReaderTests
{
    private const string Source = "test.csv";

    [Fact]
    public void ReadRecord_CrlfAndLfLineEnds_GiveTheSameFieldsAndLineNumbers()
    {
        List<(long Line, string[] Fields)> crlf = ReadAll("a,b\r\nc,d\r\n");
        List<(long Line, string[] Fields)> lf = ReadAll("a,b\nc,d\n");
        Assert.Equal(crlf.Count, lf.Count);
        for (int i = 0; i < lf.Count; i++)
        {
            Assert.Equal(lf[i].Line, crlf[i].Line);
            Assert.Equal(lf[i].Fields, crlf[i].Fields);
        }

        Assert.Equal([(1L, ["a", "b"]), (2L, ["c", "d"])], lf.Select(r => (r.Line, r.Fields)).ToArray(), RecordComparer.Instance);
    }

    [Fact]
    public void ReadRecord_LastLineWithoutLineEnd_IsRead()
    {
        List<(long Line, string[] Fields)> records = ReadAll("a,b\nc,d");
        Assert.Equal(["c", "d"], records[1].Fields);
        Assert.Equal(2, records[1].Line);
    }

    [Fact]
    public void ReadRecord_EmptyFields_AreKept()
    {
        List<(long Line, string[] Fields)> records = ReadAll(",x,\n");
        Assert.Equal(["", "x", ""], Assert.Single(records).Fields);
    }

    [Fact]
    public void ReadRecord_QuotedFieldWithDelimiterAndDoubledQuotes_IsUnescaped()
    {
        List<(long Line, string[] Fields)> records = ReadAll("7789,\"11'09\"\"01 - September 11 (2002)\",Drama\r\n11,\"American President, The (1995)\",Comedy\r\n");
        Assert.Equal(["7789", "11'09\"01 - September 11 (2002)", "Drama"], records[0].Fields);
        Assert.Equal(["11", "American President, The (1995)", "Comedy"], records[1].Fields);
    }

    [Fact]
    public void ReadRecord_QuotedEmptyFieldAndQuotedQuote_AreUnescaped()
    {
        List<(long Line, string[] Fields)> records = ReadAll("\"\",\"\"\"\",\"\"\"artsy\"\"\"\n");
        Assert.Equal(["", "\"", "\"artsy\""], Assert.Single(records).Fields);
    }

    [Fact]
    public void ReadRecord_QuoteInsideUnquotedField_IsAnOrdinaryCharacter()
    {
        List<(long Line, string[] Fields)> records = ReadAll("a\"b,5\"\n");
        Assert.Equal(["a\"b", "5\""], Assert.Single(records).Fields);
    }

    [Fact]
    public void ReadRecord_QuotedFieldSpanningLines_KeepsTheLineBreakAndCountsTheLines()
    {
        List<(long Line, string[] Fields)> records = ReadAll("1,\"first\r\nsecond\",x\r\n2,y,z\r\n");
        Assert.Equal((1L, new[] { "1", "first\nsecond", "x" }), records[0], RecordComparer.Instance);
        Assert.Equal((3L, new[] { "2", "y", "z" }), records[1], RecordComparer.Instance);
    }

    [Fact]
    public void ReadRecord_QuotesOff_QuotesAreOrdinaryCharacters()
    {
        List<(long Line, string[] Fields)> records = ReadAll("\"a,b\"\n", quotes: false);
        Assert.Equal(["\"a", "b\""], Assert.Single(records).Fields);
    }

    [Theory]
    [InlineData("::", "1::Toy Story (1995)::Animation|Comedy")]
    [InlineData("\t", "1\tToy Story (1995)\tAnimation|Comedy")]
    [InlineData("|", "1|Toy Story (1995)|Animation|Comedy")]
    public void ReadRecord_DelimiterOfAnyLength_SplitsOnIt(string delimiter, string line)
    {
        string[] fields = Assert.Single(ReadAll(line + "\n", delimiter, quotes: false)).Fields;
        string[] expected = delimiter == "|" ? ["1", "Toy Story (1995)", "Animation", "Comedy"] : ["1", "Toy Story (1995)", "Animation|Comedy"];
        Assert.Equal(expected, fields);
    }

    [Fact]
    public void ReadRecord_MultiCharacterDelimiterAfterClosingQuote_IsAccepted()
    {
        string[] fields = Assert.Single(ReadAll("\"a::b\"::c\n", "::")).Fields;
        Assert.Equal(["a::b", "c"], fields);
    }

    [Fact]
    public void ReadRecord_BlankLines_AreSkippedButCounted()
    {
        List<(long Line, string[] Fields)> records = ReadAll("\n \r\na,b\n\n\t\nc,d\n\n");
        Assert.Equal([(3L, ["a", "b"]), (6L, ["c", "d"])], records.ToArray(), RecordComparer.Instance);
    }

    [Fact]
    public void ReadRecord_BlankLinesNotSkipped_AreReturnedAsOneEmptyField()
    {
        List<(long Line, string[] Fields)> records = ReadAll("a\n\nb\n", skipBlankLines: false);
        Assert.Equal([(1L, ["a"]), (2L, [""]), (3L, ["b"])], records.ToArray(), RecordComparer.Instance);
    }

    [Fact]
    public void ReadRecord_Utf8ByteOrderMark_IsSkipped()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. "userId,movieId\n"u8];
        using var reader = new DelimitedTextReader(new MemoryStream(bytes), Source, ",", quotes: true, FileEncoding.Utf8);
        Assert.True(reader.ReadRecord());
        Assert.Equal("userId", reader.GetField(0).ToString());
    }

    [Fact]
    public void ReadRecord_Utf8MultiByteCharacters_AreDecoded()
    {
        string[] fields = Assert.Single(ReadAll("73,\"Misérables, Les (1995)\",Nyû Yôku 😀\n")).Fields;
        Assert.Equal(["73", "Misérables, Les (1995)", "Nyû Yôku 😀"], fields);
    }

    [Fact]
    public void ReadRecord_Latin1_DecodesEachByteAsOneCharacter()
    {
        byte[] bytes = Encoding.Latin1.GetBytes("543|Misérables, Les (1995)\n");
        using var reader = new DelimitedTextReader(new MemoryStream(bytes), Source, "|", quotes: false, FileEncoding.Latin1);
        Assert.True(reader.ReadRecord());
        Assert.Equal("Misérables, Les (1995)", reader.GetField(1).ToString());
    }

    [Fact]
    public void ReadRecord_InvalidUtf8OnThirdLine_ThrowsNamingThatLine()
    {
        // "é" in ISO-8859-1 (0xE9) is not valid UTF-8 on its own.
        byte[] bytes = [.. "a,b\nc,d\n"u8, .. "Mis"u8, 0xE9, .. "rables\n"u8];
        using var reader = new DelimitedTextReader(new MemoryStream(bytes), Source, ",", quotes: true, FileEncoding.Utf8);
        Assert.True(reader.ReadRecord());
        Assert.True(reader.ReadRecord());
        DataFormatException error = Assert.Throws<DataFormatException>(() => reader.ReadRecord());
        Assert.Equal(Source, error.FilePath);
        Assert.Equal(3, error.LineNumber);
        Assert.Equal("expected UTF-8 text, found the byte 0xE9 at byte 4 of the line, which is not valid UTF-8 there", error.Detail);
    }

    [Fact]
    public void ReadRecord_TruncatedUtf8SequenceAtEndOfFile_Throws()
    {
        byte[] bytes = [.. "a\nb"u8, 0xC3];
        using var reader = new DelimitedTextReader(new MemoryStream(bytes), Source, ",", quotes: true, FileEncoding.Utf8);
        Assert.True(reader.ReadRecord());
        Assert.Equal(2, Assert.Throws<DataFormatException>(() => reader.ReadRecord()).LineNumber);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void ReadRecord_LineLongerThanLimit_ThrowsNamingThatLine(int chunkSize)
    {
        string text = "ab,cd\n" + new string('x', 11) + "\nok\n";
        using var reader = new DelimitedTextReader(
            new ChunkedStream(Encoding.UTF8.GetBytes(text), chunkSize), Source, ",", quotes: true, FileEncoding.Utf8, maxLineLength: 10);
        Assert.True(reader.ReadRecord());
        DataFormatException error = Assert.Throws<DataFormatException>(() => reader.ReadRecord());
        Assert.Equal(2, error.LineNumber);
        Assert.StartsWith("expected a line of at most 10 bytes", error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0123456789\r\n")]
    [InlineData("0123456789\n")]
    [InlineData("0123456789")]
    public void ReadRecord_LineExactlyAtLimit_IsAccepted(string text)
    {
        using var reader = new DelimitedTextReader(
            new ChunkedStream(Encoding.UTF8.GetBytes(text), 3), Source, ",", quotes: true, FileEncoding.Utf8, maxLineLength: 10);
        Assert.True(reader.ReadRecord());
        Assert.Equal("0123456789", reader.GetField(0).ToString());
        Assert.False(reader.ReadRecord());
    }

    [Fact]
    public void ReadRecord_UnclosedQuote_ThrowsAtTheLineWhereTheRecordStarts()
    {
        using DelimitedTextReader reader = Open("a,b\n1,\"open\n2,x\n3,y\n");
        Assert.True(reader.ReadRecord());
        DataFormatException error = Assert.Throws<DataFormatException>(() => reader.ReadRecord());
        Assert.Equal(2, error.LineNumber);
        Assert.Equal("expected a closing quote for field 2, found the end of the file", error.Detail);
    }

    [Fact]
    public void ReadRecord_UnclosedQuoteInLongInput_StopsAtTheLengthLimit()
    {
        string text = "1,\"open\n" + string.Concat(Enumerable.Repeat("2,x\n", 100));
        using var reader = new DelimitedTextReader(
            new MemoryStream(Encoding.UTF8.GetBytes(text)), Source, ",", quotes: true, FileEncoding.Utf8, maxLineLength: 50);
        DataFormatException error = Assert.Throws<DataFormatException>(() => reader.ReadRecord());
        Assert.Equal(1, error.LineNumber);
        Assert.Contains("is a closing quote missing?", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRecord_TextAfterClosingQuote_Throws()
    {
        using DelimitedTextReader reader = Open("\"a\"b,c\n");
        DataFormatException error = Assert.Throws<DataFormatException>(() => reader.ReadRecord());
        Assert.Equal(1, error.LineNumber);
        Assert.Equal("expected a comma or the end of the line after the closing quote of field 1, found 'b'", error.Detail);
    }

    [Fact]
    public void ReadRecord_EmptyInput_ReturnsFalseAtLineOne()
    {
        using DelimitedTextReader reader = Open("");
        Assert.False(reader.ReadRecord());
        Assert.Equal(1, reader.LineNumber);
    }

    [Fact]
    public void ReadRecord_AfterLastLine_LineNumberIsTheLineAfterIt()
    {
        using DelimitedTextReader reader = Open("a\nb\n");
        while (reader.ReadRecord())
        {
        }

        Assert.Equal(3, reader.LineNumber);
    }

    [Fact]
    public void ExpectFieldCount_WrongCount_SaysWhatWasExpectedAndFound()
    {
        using var reader = new DelimitedTextReader(
            new MemoryStream("196\t242\t3\n"u8.ToArray()), "u.data", "\t", quotes: false, FileEncoding.Latin1);
        Assert.True(reader.ReadRecord());
        DataFormatException error = Assert.Throws<DataFormatException>(() => reader.ExpectFieldCount(4, "user, item, rating, timestamp"));
        Assert.Equal("u.data:1: expected 4 tab-separated fields (user, item, rating, timestamp), found 3", error.Message);
    }

    [Theory]
    [InlineData("3", 3f)]
    [InlineData("4.5", 4.5f)]
    [InlineData("-0.25", -0.25f)]
    [InlineData("1e2", 100f)]
    public void ParseSingle_InvariantNumbers_AreParsed(string text, float expected)
    {
        using DelimitedTextReader reader = Open(text + "\n");
        Assert.True(reader.ReadRecord());
        Assert.Equal(expected, reader.ParseSingle(0, "rating"));
    }

    [Theory]
    [InlineData("4,5")]
    [InlineData("abc")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("")]
    public void ParseSingle_NotAFiniteNumber_Throws(string text)
    {
        using DelimitedTextReader reader = Open("x;" + text + "\n", ";");
        Assert.True(reader.ReadRecord());
        DataFormatException error = Assert.Throws<DataFormatException>(() => reader.ParseSingle(1, "rating"));
        Assert.StartsWith("expected a number (rating) in field 2, found ", error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("881250949", TimestampFormat.UnixSeconds, 881_250_949_000L)]
    [InlineData("-1", TimestampFormat.UnixSeconds, -1000L)]
    [InlineData("881250949123", TimestampFormat.UnixMilliseconds, 881_250_949_123L)]
    [InlineData("1997-12-04T15:55:49Z", TimestampFormat.Iso8601, 881_250_949_000L)]
    [InlineData("1997-12-04T15:55:49", TimestampFormat.Iso8601, 881_250_949_000L)]
    [InlineData("1997-12-04 17:55:49.5+02:00", TimestampFormat.Iso8601, 881_250_949_500L)]
    [InlineData("1997-12-04T15:55Z", TimestampFormat.Iso8601, 881_250_900_000L)]
    [InlineData("1997-12-04", TimestampFormat.Iso8601, 881_193_600_000L)]
    public void ParseTimestamp_EachFormat_GivesUnixMilliseconds(string text, TimestampFormat format, long expected)
    {
        using DelimitedTextReader reader = Open(text + "\n", "\t");
        Assert.True(reader.ReadRecord());
        Assert.Equal(expected, reader.ParseTimestamp(0, format));
    }

    [Theory]
    [InlineData("12.5", TimestampFormat.UnixSeconds)]
    [InlineData("99999999999999", TimestampFormat.UnixSeconds)]
    [InlineData("9999999999999999", TimestampFormat.UnixMilliseconds)]
    [InlineData("04/12/1997", TimestampFormat.Iso8601)]
    [InlineData("881250949", TimestampFormat.Iso8601)]
    public void ParseTimestamp_BadOrOutOfRange_Throws(string text, TimestampFormat format)
    {
        using DelimitedTextReader reader = Open(text + "\n", "\t");
        Assert.True(reader.ReadRecord());
        Assert.Equal(1, Assert.Throws<DataFormatException>(() => reader.ParseTimestamp(0, format)).LineNumber);
    }

    [Theory]
    [InlineData("196")]
    [InlineData("0")]
    public void GetNumericId_Digits_ReturnsThem(string text)
    {
        using DelimitedTextReader reader = Open(text + "\n");
        Assert.True(reader.ReadRecord());
        Assert.Equal(text, reader.GetNumericId(0, "user id").ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("1a")]
    [InlineData(" 1")]
    public void GetNumericId_NotDigits_Throws(string text)
    {
        using DelimitedTextReader reader = Open(text + ",x\n");
        Assert.True(reader.ReadRecord());
        DataFormatException error = Assert.Throws<DataFormatException>(() => reader.GetNumericId(0, "user id"));
        Assert.StartsWith("expected a numeric user id in field 1, found ", error.Detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// RFC 4180 round trip: records written with quoting where needed (and sometimes where not) read back field
    /// for field, whatever size the chunks the stream hands out.
    /// </summary>
    [Property(Replay = "20240501,1234567891", MaxTest = 200)]
    public Property ReadRecord_WrittenRfc4180Records_ReadBackUnchanged() =>
        Prop.ForAll(RecordsArbitrary(), Gen.Choose(1, 64).ToArbitrary(), (records, chunkSize) =>
        {
            var text = new StringBuilder();
            foreach (QuotedField[] record in records)
            {
                text.AppendJoin(',', record.Select(f => f.Quoted || NeedsQuotes(f.Text) || record.Length == 1 ? Quote(f.Text) : f.Text));
                text.Append(chunkSize % 2 == 0 ? "\r\n" : "\n");
            }

            using var reader = new DelimitedTextReader(
                new ChunkedStream(Encoding.UTF8.GetBytes(text.ToString()), chunkSize), Source, ",", quotes: true, FileEncoding.Utf8);
            foreach (QuotedField[] record in records)
            {
                Assert.True(reader.ReadRecord());
                Assert.Equal(record.Select(f => f.Text).ToArray(), Fields(reader));
            }

            Assert.False(reader.ReadRecord());
        });

    private static Arbitrary<QuotedField[][]> RecordsArbitrary()
    {
        Gen<string> text = Gen.Elements("a", "7", "é", "😀", " ", ",", "\"", "\n", "x y")
            .ArrayOf()
            .Select(parts => string.Concat(parts));
        Gen<QuotedField> field = text.Zip(Gen.Elements(false, true), (t, q) => new QuotedField(t, q));
        Gen<QuotedField[]> record = Gen.Choose(1, 5).SelectMany(n => field.ArrayOf(n));
        return record.ArrayOf().ToArbitrary();
    }

    private static bool NeedsQuotes(string text) =>
        text.Length == 0 || text.AsSpan().ContainsAny(",\"\n") || text[0] == '"' || string.IsNullOrWhiteSpace(text);

    private static string Quote(string text) => "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static DelimitedTextReader Open(string text, string delimiter = ",", bool quotes = true, bool skipBlankLines = true) =>
        new(new MemoryStream(Encoding.UTF8.GetBytes(text)), Source, delimiter, quotes, FileEncoding.Utf8, skipBlankLines: skipBlankLines);

    private static List<(long Line, string[] Fields)> ReadAll(string text, string delimiter = ",", bool quotes = true, bool skipBlankLines = true)
    {
        using DelimitedTextReader reader = Open(text, delimiter, quotes, skipBlankLines);
        var records = new List<(long, string[])>();
        while (reader.ReadRecord())
        {
            records.Add((reader.LineNumber, Fields(reader)));
        }

        return records;
    }

    private static string[] Fields(DelimitedTextReader reader)
    {
        var fields = new string[reader.FieldCount];
        for (int i = 0; i < fields.Length; i++)
        {
            fields[i] = reader.GetField(i).ToString();
        }

        return fields;
    }

    public sealed record QuotedField(string Text, bool Quoted);

    private sealed class RecordComparer : IEqualityComparer<(long Line, string[] Fields)>
    {
        public static readonly RecordComparer Instance = new();

        public bool Equals((long Line, string[] Fields) x, (long Line, string[] Fields) y) =>
            x.Line == y.Line && x.Fields.SequenceEqual(y.Fields);

        public int GetHashCode((long Line, string[] Fields) obj) => obj.Line.GetHashCode();
    }
}
