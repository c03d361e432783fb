using System.Globalization;
using System.Text;
using RecEngine.Data;
using RecEngine.Data.Loading;
using RecEngine.Tests.Data.Loading;
using Xunit.Abstractions;

namespace RecEngine.Tests.Reliability;

/// <summary>
/// Fuzz-style tests of every loader of delimited text: seeded random bytes, random lines that look like data, and
/// mutations of valid files go through the loaders, and each case either loads a dataset that is internally
/// consistent (and, for plain TSV, equal to what a reference reader of the format finds) or is refused with a
/// <see cref="DataFormatException"/>, the only exception the loaders document for bad content.
/// </summary>
public sealed class LoaderFuzzTests(ITestOutputHelper output)
{
    private const string ValidTsv =
        "u1\ti1\t4\t881250949\nu2\ti1\t3.5\t881250950\r\nu1\ti2\t-1\t0\n\nu3\ti3\t1e3\t-5\nu2\ti2\t2\t253402300799\n";

    private const string ValidCsv =
        "when,user,item,kind,score\r\n2024-05-01T12:30:00Z,u1,i1,view,1\r\n2024-05-01,\"u,2\",i1,purchase,2.5\r\n" +
        "2024-05-01 14:30:00.250+02:00,u1,\"i \"\"2\"\"\",click,1\r\n2024-05-02T00:00:00Z,u3,\"multi\nline\",view,-1\r\n";

    /// <summary>
    /// Plain TSV without a header (user, item, value, Unix seconds), loaded by <see cref="DelimitedInteractionLoader"/>
    /// and by <see cref="ReferenceTsv"/>: both must load the same interactions, or both refuse the input at the same line.
    /// </summary>
    [Fact]
    public void DelimitedLoader_RandomAndMutatedTsv_LoadsWhatAReferenceReaderLoads_OrRefusesAtTheSameLine()
    {
        var format = new DelimitedFormat
        {
            Delimiter = "\t",
            HasHeader = false,
            AllowQuotedFields = false,
            ValueColumn = DelimitedColumn.At(2),
            TimestampColumn = DelimitedColumn.At(3),
            MaxLineLength = 96,
        };
        byte[] valid = Encoding.UTF8.GetBytes(ValidTsv);
        var tally = new FuzzTally("Delimited TSV against the reference reader", typeof(DataFormatException));
        int agreedRefusals = 0;
        for (int i = 0; i < 4_000; i++)
        {
            int seed = 1_000 + i;
            var random = new Random(seed);
            (byte[] input, string description) = (i % 4) switch
            {
                0 => (Mutations.RandomBytes(random, 200), "random bytes"),
                1 => (Mutations.RandomDelimitedText(random, "\t", 12, "uivt"), "random lines"),
                _ => (Mutations.Mutate(valid, random, out string what), what),
            };

            ReferenceTsv.Outcome expected = ReferenceTsv.Load(input, format.MaxLineLength);
            bool loaded = tally.Run(seed, description, () =>
            {
                InteractionDataset dataset;
                try
                {
                    dataset = DelimitedInteractionLoader.Load(new MemoryStream(input), format, "fuzz.tsv");
                }
                catch (DataFormatException e) when (expected.Error is not null)
                {
                    Assert.True(e.LineNumber == expected.ErrorLine, $"refused at line {e.LineNumber} ({e.Detail}); the reference refuses at line {expected.ErrorLine} ({expected.Error})");
                    agreedRefusals++;
                    throw;
                }

                Assert.True(expected.Error is null, $"loaded {dataset.Count} rows; the reference refuses at line {expected.ErrorLine}: {expected.Error}");
                CheckConsistent(dataset);
                Assert.Equal(expected.Rows, Enumerable.Range(0, dataset.Count).Select(r => (dataset.Users.GetId(dataset.UserIndices[r]), dataset.Items.GetId(dataset.ItemIndices[r]), dataset.Values[r], dataset.Timestamps[r])));
            });
            if (!loaded)
            {
                Assert.True(expected.Error is not null, $"case seed {seed} ({description}): refused, but the reference loads {expected.Rows.Count} rows");
            }
        }

        Assert.Equal(tally.Refused, agreedRefusals);
        Assert.InRange(tally.Loaded, 200, tally.Cases - 200);
        output.WriteLine(tally.ToString());
    }

    /// <summary>CSV with a header, named columns, quoted fields, ISO 8601 timestamps and an event-kind column.</summary>
    [Fact]
    public void DelimitedLoader_RandomAndMutatedCsv_LoadsAConsistentDatasetOrThrowsDataFormatException()
    {
        var format = new DelimitedFormat
        {
            UserColumn = DelimitedColumn.Named("user"),
            ItemColumn = DelimitedColumn.Named("item"),
            ValueColumn = DelimitedColumn.Named("score"),
            TimestampColumn = DelimitedColumn.Named("when"),
            TimestampFormat = TimestampFormat.Iso8601,
            KindColumn = DelimitedColumn.Named("kind"),
            MaxLineLength = 128,
            MaxRows = 20,
        };
        byte[] valid = Encoding.UTF8.GetBytes(ValidCsv);
        byte[] header = Encoding.UTF8.GetBytes("when,user,item,kind,score\n");
        var tally = new FuzzTally("Delimited CSV with header, quotes and kinds", typeof(DataFormatException));
        for (int i = 0; i < 3_000; i++)
        {
            int seed = 10_000 + i;
            var random = new Random(seed);
            (byte[] input, string description) = (i % 4) switch
            {
                0 => ([.. header, .. Mutations.RandomBytes(random, 200)], "header, then random bytes"),
                1 => ([.. header, .. Mutations.RandomDelimitedText(random, ",", 25, "Tuikv")], "header, then random lines"),
                _ => (Mutations.Mutate(valid, random, out string what), what),
            };

            tally.Run(seed, description, () => CheckConsistent(DelimitedInteractionLoader.Load(new MemoryStream(input), format, "fuzz.csv")));
        }

        Assert.InRange(tally.Loaded, 25, tally.Cases - 25);
        output.WriteLine(tally.ToString());
    }

    /// <summary>
    /// The reader under every loader, in every mode: quoting on and off, one- and two-character delimiters, UTF-8 and
    /// ISO-8859-1, and small line limits. Every record it returns stays within the line limit, and unquoted fields
    /// never hold the delimiter or a line break.
    /// </summary>
    [Fact]
    public void DelimitedTextReader_RandomInputInEveryMode_ReturnsBoundedRecordsOrThrowsDataFormatException()
    {
        byte[] valid = Encoding.UTF8.GetBytes(ValidCsv + ValidTsv.Replace('\t', ','));
        var tally = new FuzzTally("Delimited text reader, every mode", typeof(DataFormatException));
        for (int i = 0; i < 3_000; i++)
        {
            int seed = 20_000 + i;
            var random = new Random(seed);
            string delimiter = random.Next(3) switch { 0 => ",", 1 => "\t", _ => "::" };
            bool quotes = delimiter != "::" && random.Next(2) == 0;
            FileEncoding encoding = random.Next(3) == 0 ? FileEncoding.Latin1 : FileEncoding.Utf8;
            int maxLineLength = random.Next(2) == 0 ? random.Next(1, 40) : 4_096;
            bool skipBlank = random.Next(2) == 0;
            (byte[] input, string description) = (i % 3) switch
            {
                0 => (Mutations.RandomBytes(random, 300), "random bytes"),
                1 => (Mutations.RandomDelimitedText(random, delimiter, 15, random.Next(2) == 0 ? "uivt" : "Tuikv"), "random lines"),
                _ => (Mutations.Mutate(valid, random, out string what), what),
            };

            tally.Run(seed, $"{description}; delimiter '{delimiter}', quotes {quotes}, {encoding}, limit {maxLineLength}", () =>
            {
                using var reader = new DelimitedTextReader(new MemoryStream(input), "fuzz", delimiter, quotes, encoding, maxLineLength, skipBlank);
                long lastLine = 0;
                while (reader.ReadRecord())
                {
                    Assert.True(reader.LineNumber > lastLine, "line numbers rise");
                    lastLine = reader.LineNumber;
                    Assert.InRange(reader.FieldCount, 1, maxLineLength + 1);
                    long characters = 0;
                    for (int f = 0; f < reader.FieldCount; f++)
                    {
                        ReadOnlySpan<char> field = reader.GetField(f);
                        characters += field.Length;
                        if (!quotes)
                        {
                            Assert.False(field.Contains(delimiter, StringComparison.Ordinal), "an unquoted field holds the delimiter");
                            Assert.False(field.Contains('\n'), "an unquoted field holds a line break");
                        }
                    }

                    // A UTF-8 or ISO-8859-1 byte decodes to at most one char, and a quoted line break to one char.
                    Assert.True(characters <= input.Length, $"a record of {characters} characters from {input.Length} bytes");
                    long unquoted = characters + ((reader.FieldCount - 1L) * delimiter.Length);
                    Assert.True(quotes || unquoted <= maxLineLength, $"an unquoted record of {unquoted} characters over the limit {maxLineLength}");
                }
            });
        }

        Assert.InRange(tally.Loaded, 100, tally.Cases - 100);
        output.WriteLine(tally.ToString());
    }

    /// <summary>
    /// Each MovieLens release from a small valid folder in which one file (ratings, items or movies, genres or tags)
    /// is replaced by random bytes, random lines or a mutation of itself.
    /// </summary>
    [Theory]
    [InlineData("100K")]
    [InlineData("1M")]
    [InlineData("10M")]
    [InlineData("latest")]
    public void MovieLens_OneDamagedFile_LoadsAConsistentDatasetOrThrowsDataFormatException(string release)
    {
        (Dictionary<string, byte[]> files, Func<string, InteractionDataset> load, string delimiter) = release switch
        {
            "100K" => (MovieLens100K(), (Func<string, InteractionDataset>)(folder => MovieLens.Load100K(folder, Limits)), "\t"),
            "1M" => (DoubleColon(withTags: false, Encoding.Latin1), folder => MovieLens.Load1M(folder, Limits), "::"),
            "10M" => (DoubleColon(withTags: true, Encoding.UTF8), folder => MovieLens.Load10M(folder, Limits), "::"),
            _ => (Latest(), folder => MovieLens.LoadLatest(folder, Limits), ","),
        };
        string[] names = [.. files.Keys.Order(StringComparer.Ordinal)];
        using var folder = new TempFolder();
        var tally = new FuzzTally($"MovieLens {release}, one damaged file", typeof(DataFormatException));
        for (int i = 0; i < 600; i++)
        {
            int seed = (release switch { "100K" => 100_000, "1M" => 200_000, "10M" => 300_000, _ => 400_000 }) + i;
            var random = new Random(seed);
            string damaged = names[random.Next(names.Length)];
            (byte[] input, string description) = (i % 5) switch
            {
                0 => (Mutations.RandomBytes(random, 200), "random bytes"),
                1 => (Mutations.RandomDelimitedText(random, damaged.StartsWith("u.", StringComparison.Ordinal) && damaged != "u.data" ? "|" : delimiter, 10, Columns[damaged]), "random lines"),
                _ => (Mutations.Mutate(files[damaged], random, out string what), what),
            };

            foreach ((string name, byte[] bytes) in files)
            {
                folder.Write(name, name == damaged ? input : bytes);
            }

            tally.Run(seed, $"{damaged}: {description}", () => CheckConsistent(load(folder.Path)));
        }

        Assert.InRange(tally.Loaded, 25, tally.Cases - 25);
        output.WriteLine(tally.ToString());
    }

    /// <summary>The layout of each MovieLens file, for <see cref="Mutations.RandomDelimitedText"/>.</summary>
    private static readonly Dictionary<string, string> Columns = new(StringComparer.Ordinal)
    {
        ["u.data"] = "UIvt",
        ["u.item"] = "Inssffff",
        ["u.genre"] = "sU",
        ["ratings.dat"] = "UIvt",
        ["movies.dat"] = "Ing",
        ["tags.dat"] = "UIst",
        ["ratings.csv"] = "UIvt",
        ["movies.csv"] = "Ing",
        ["tags.csv"] = "UIst",
    };

    private static readonly MovieLensLoadOptions Limits = new() { MaxRows = 50, MaxLineLength = 512 };

    /// <summary>What every loaded dataset must satisfy, whatever its input was.</summary>
    internal static void CheckConsistent(InteractionDataset dataset)
    {
        Assert.True(dataset.Count > 0, "a loaded dataset has interactions");
        Assert.Equal(dataset.UserCount, dataset.Users.Count);
        Assert.Equal(dataset.ItemCount, dataset.Items.Count);
        Assert.Equal(dataset.ItemCount, dataset.Catalog.Count);
        for (int r = 0; r < dataset.Count; r++)
        {
            Assert.InRange(dataset.UserIndices[r], 0, dataset.UserCount - 1);
            Assert.InRange(dataset.ItemIndices[r], 0, dataset.ItemCount - 1);
            Assert.True(float.IsFinite(dataset.Values[r]) && float.IsFinite(dataset.Weights[r]), $"row {r}: value {dataset.Values[r]}, weight {dataset.Weights[r]}");
            Assert.False(string.IsNullOrWhiteSpace(dataset.Kinds[r].Name), $"row {r} has no kind");
        }

        for (int u = 0; u < dataset.UserCount; u++)
        {
            Assert.False(string.IsNullOrWhiteSpace(dataset.Users.GetId(u)), $"user {u} has an empty id");
        }

        for (int item = 0; item < dataset.ItemCount; item++)
        {
            Assert.False(string.IsNullOrWhiteSpace(dataset.Items.GetId(item)), $"item {item} has an empty id");
            ItemAttributes attributes = dataset.Catalog[item];
            Assert.All(attributes.Categories, c => Assert.False(string.IsNullOrWhiteSpace(c)));
            Assert.All(attributes.Tags, t => Assert.False(string.IsNullOrWhiteSpace(t)));
            Assert.All(attributes.Numeric.Values, v => Assert.True(float.IsFinite(v)));
        }

        // What models build from it: summed duplicates stay finite.
        foreach (MatrixValues values in (MatrixValues[])[MatrixValues.Weight, MatrixValues.Value])
        {
            var matrix = InteractionMatrix.Build(dataset, values, DuplicatePolicy.Sum);
            for (int u = 0; u < matrix.Rows; u++)
            {
                foreach (float value in matrix.RowValues(u))
                {
                    Assert.True(float.IsFinite(value), $"user {u} has a summed {values} of {value}");
                }
            }
        }
    }

    private static Dictionary<string, byte[]> MovieLens100K()
    {
        const string Url = "http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)";
        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["u.data"] = Encoding.Latin1.GetBytes("196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t302\t1\t878887116\n22\t377\t1.5\t878887116\n"),
            ["u.item"] = Encoding.Latin1.GetBytes(
                $"242|Kolya (1996)|24-Jan-1997||{Url}|0|0|1\n302|L.A. Confidential (1997)|01-Jan-1997||{Url}|1|0|0\n377|Heavyweights (1994)|01-Jan-1994||{Url}|0|1|1\n9|Café (1990) |||{Url}|0|0|0\n"),
            ["u.genre"] = Encoding.Latin1.GetBytes("unknown|0\nAction|1\nComedy|2\n\n"),
        };
    }

    private static Dictionary<string, byte[]> DoubleColon(bool withTags, Encoding encoding)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["ratings.dat"] = encoding.GetBytes("1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n3::3408::4.5::978300275\n"),
            ["movies.dat"] = encoding.GetBytes("1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::James and the Giant Peach (1996)::Animation|Children's|Musical\n3408::Erin Brockovich (2000)::(no genres listed)\n"),
        };
        if (withTags)
        {
            files["tags.dat"] = encoding.GetBytes("1::1193::classic::1188263867\n2::661::Roald Dahl::1188263880\n2::9999::unrated::1188263880\n");
        }

        return files;
    }

    private static Dictionary<string, byte[]> Latest() => new(StringComparer.Ordinal)
    {
        ["ratings.csv"] = Encoding.UTF8.GetBytes("userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,3,4.0,964981247\r\n2,1,3.5,964982224\r\n3,6,5.0,964983815\r\n"),
        ["movies.csv"] = Encoding.UTF8.GetBytes("movieId,title,genres\r\n1,Toy Story (1995),Adventure|Animation|Children\r\n3,\"American President, The (1995)\",Comedy|Drama|Romance\r\n6,\"Heat \"\"Directors\"\" (1995)\",(no genres listed)\r\n"),
        ["tags.csv"] = Encoding.UTF8.GetBytes("userId,movieId,tag,timestamp\r\n2,1,pixar,1445714994\r\n2,3,\"funny, light\",1445714996\r\n"),
    };

    /// <summary>
    /// Plain TSV (user, item, value, Unix seconds; no header, no quoting) read from its description alone: strict UTF-8
    /// with an optional byte order mark, LF or CRLF line ends, blank lines skipped, at least four fields, ids not
    /// blank, finite values, timestamps within the years 1 to 9999, and the absolute values adding up to at most
    /// <see cref="float.MaxValue"/>.
    /// </summary>
    private static class ReferenceTsv
    {
        public sealed record Outcome(List<(string User, string Item, float Value, long Timestamp)> Rows, string? Error, long ErrorLine);

        public static Outcome Load(byte[] input, int maxLineLength)
        {
            var rows = new List<(string, string, float, long)>();
            ReadOnlySpan<byte> rest = input;
            if (rest.StartsWith("\uFEFF"u8))
            {
                rest = rest[3..];
            }

            var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
            long line = 0;
            double magnitude = 0;
            while (!rest.IsEmpty)
            {
                line++;
                int end = rest.IndexOf((byte)'\n');
                ReadOnlySpan<byte> bytes = end < 0 ? rest : rest[..end];
                rest = end < 0 ? [] : rest[(end + 1)..];
                if (!bytes.IsEmpty && bytes[^1] == '\r')
                {
                    bytes = bytes[..^1];
                }

                if (bytes.Length > maxLineLength)
                {
                    return Fail("line too long");
                }

                string text;
                try
                {
                    text = strict.GetString(bytes);
                }
                catch (DecoderFallbackException)
                {
                    return Fail("invalid UTF-8");
                }

                if (text.AsSpan().IsWhiteSpace())
                {
                    continue;
                }

                string[] fields = text.Split('\t');
                if (fields.Length < 4)
                {
                    return Fail("fewer than 4 fields");
                }

                if (string.IsNullOrWhiteSpace(fields[0]) || string.IsNullOrWhiteSpace(fields[1]))
                {
                    return Fail("blank id");
                }

                if (!float.TryParse(fields[2], NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                {
                    return Fail("value not a finite number");
                }

                if (!long.TryParse(fields[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out long seconds)
                    || seconds < -62_135_596_800 || seconds > 253_402_300_799)
                {
                    return Fail("timestamp not in Unix seconds of years 1 to 9999");
                }

                magnitude += Math.Abs(value);
                if (magnitude > float.MaxValue)
                {
                    return Fail("absolute values add up past float.MaxValue");
                }

                rows.Add((fields[0], fields[1], value, seconds * 1000));
            }

            return rows.Count == 0 ? new Outcome(rows, "no rows", line + 1) : new Outcome(rows, null, 0);

            Outcome Fail(string why) => new(rows, why, line);
        }
    }
}
