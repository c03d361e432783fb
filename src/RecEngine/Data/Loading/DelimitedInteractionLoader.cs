namespace RecEngine.Data.Loading;

/// <summary>
/// Loads interactions from delimited text (CSV, TSV, <c>::</c>-separated and the like) described by a
/// <see cref="DelimitedFormat"/>: one interaction per row, text in strict UTF-8.
/// </summary>
/// <remarks>
/// <para>
/// Users and items get dense indices in order of first appearance. The dataset is built privately and returned
/// only when the whole input has been read, so a failed load leaves nothing behind.
/// </para>
/// <para>
/// Bad content of any kind is a <see cref="DataFormatException"/> naming the source and line: a line that is too
/// long or not valid UTF-8, an unclosed or misplaced quote, a wrong field count, a missing header column, a blank id,
/// a value that is not a finite number, a timestamp that is not one or is outside the years 1 to 9999, an event kind
/// without a weight, more rows than <see cref="DelimitedFormat.MaxRows"/>, no rows at all, and a value whose weight
/// (the kind's weight times the value) is infinite or that would make the absolute values or weights of the dataset
/// add up to more than <see cref="float.MaxValue"/> (see <see cref="InteractionDatasetBuilder"/>). No other exception
/// comes from the content of the input.
/// </para>
/// <para>
/// Cost: one pass over the input, O(rows) time; memory is the dataset itself plus one line buffer of at most
/// <see cref="DelimitedFormat.MaxLineLength"/> bytes. Thread safety: stateless; concurrent loads are independent.
/// </para>
/// </remarks>
public static class DelimitedInteractionLoader
{
    private const string DefaultSourceName = "stream";

    /// <summary>Loads the interactions in the file at <paramref name="path"/>.</summary>
    /// <param name="path">The file to read, UTF-8 encoded (a byte order mark is allowed).</param>
    /// <param name="format">How the file is laid out; validated with <see cref="DelimitedFormat.Validate"/>.</param>
    /// <param name="weights">Weights of the event kinds; <see langword="null"/> for the defaults of <see cref="EventWeights"/>.</param>
    /// <returns>A new dataset with one interaction per row, in file order.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty, or <paramref name="format"/> is invalid.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFormatException">The file does not match <paramref name="format"/> or holds a value the dataset cannot take (see the remarks); the exception gives the path and line.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static InteractionDataset Load(string path, DelimitedFormat format, EventWeights? weights = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        EventWeights resolvedWeights = Prepare(format, weights);
        using DelimitedTextReader reader = DelimitedTextReader.OpenFile(
            path, format.Delimiter, format.AllowQuotedFields, FileEncoding.Utf8, format.MaxLineLength, format.SkipBlankLines);
        return Load(reader, format, resolvedWeights);
    }

    /// <summary>Loads the interactions in <paramref name="stream"/>, from its current position to its end.</summary>
    /// <param name="stream">The UTF-8 text to read; the caller keeps ownership and disposes it.</param>
    /// <param name="format">How the text is laid out; validated with <see cref="DelimitedFormat.Validate"/>.</param>
    /// <param name="sourceName">The name error messages give the source, for example a URL or a blob name; <see langword="null"/> for <c>"stream"</c>.</param>
    /// <param name="weights">Weights of the event kinds; <see langword="null"/> for the defaults of <see cref="EventWeights"/>.</param>
    /// <returns>A new dataset with one interaction per row, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="format"/> is invalid.</exception>
    /// <exception cref="DataFormatException">The text does not match <paramref name="format"/> or holds a value the dataset cannot take (see the remarks); the exception gives the source name and line.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static InteractionDataset Load(Stream stream, DelimitedFormat format, string? sourceName = null, EventWeights? weights = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        EventWeights resolvedWeights = Prepare(format, weights);
        using var reader = new DelimitedTextReader(
            stream, sourceName ?? DefaultSourceName, format.Delimiter, format.AllowQuotedFields, FileEncoding.Utf8,
            format.MaxLineLength, format.SkipBlankLines);
        return Load(reader, format, resolvedWeights);
    }

    private static EventWeights Prepare(DelimitedFormat format, EventWeights? weights)
    {
        ArgumentNullException.ThrowIfNull(format);
        format.Validate();
        weights ??= new EventWeights();
        if (format.KindColumn is null && !weights.TryGetWeight(format.DefaultKind, out _))
        {
            throw new ArgumentException(
                $"The default event kind '{format.DefaultKind}' has no configured weight.", nameof(format));
        }

        return weights;
    }

    private static InteractionDataset Load(DelimitedTextReader reader, DelimitedFormat format, EventWeights weights)
    {
        var columns = ColumnLayout.Resolve(reader, format);
        var builder = new InteractionDatasetBuilder(weights);
        var strings = new StringPool();
        int rows = 0;
        while (reader.ReadRecord())
        {
            columns.CheckFieldCount(reader);
            if (rows == format.MaxRows)
            {
                throw reader.Error($"expected at most {format.MaxRows} rows (the MaxRows limit), found more");
            }

            string user = strings.Get(reader.GetRequiredField(columns.User, "user id"));
            string item = strings.Get(reader.GetRequiredField(columns.Item, "item id"));
            float value = columns.Value >= 0 ? reader.ParseSingle(columns.Value, "value") : 1f;
            long timestamp = columns.Timestamp >= 0 ? reader.ParseTimestamp(columns.Timestamp, format.TimestampFormat) : 0L;
            EventKind kind = columns.Kind >= 0 ? ReadKind(reader, columns.Kind, strings, weights) : format.DefaultKind;
            if (builder.Refusal(value, kind) is { } problem)
            {
                throw reader.Error($"expected a value whose weight and running sum stay finite in field {columns.Value + 1}, found {value}: {problem}");
            }

            builder.Add(user, item, value, timestamp, kind);
            rows++;
        }

        if (rows == 0)
        {
            throw reader.Error(reader.LineNumber == 1
                ? "expected interactions, found an empty file"
                : "expected at least one interaction row, found none");
        }

        return builder.Build();
    }

    private static EventKind ReadKind(DelimitedTextReader reader, int field, StringPool strings, EventWeights weights)
    {
        var kind = new EventKind(strings.Get(reader.GetRequiredField(field, "event kind")));
        if (!weights.TryGetWeight(kind, out _))
        {
            string known = string.Join(", ", weights.Weights.Keys.Select(k => k.Name).Order(StringComparer.Ordinal));
            throw reader.Error($"expected an event kind with a configured weight ({known}) in field {field + 1}, found '{kind.Name}'");
        }

        return kind;
    }

    /// <summary>The resolved 0-based field index of each role (-1 when absent) and the expected field count.</summary>
    private readonly record struct ColumnLayout(int User, int Item, int Value, int Timestamp, int Kind, int HeaderFieldCount, int MinFieldCount)
    {
        public static ColumnLayout Resolve(DelimitedTextReader reader, DelimitedFormat format)
        {
            if (!format.HasHeader)
            {
                int user = format.UserColumn.Index!.Value;
                int item = format.ItemColumn.Index!.Value;
                int value = format.ValueColumn?.Index ?? -1;
                int timestamp = format.TimestampColumn?.Index ?? -1;
                int kind = format.KindColumn?.Index ?? -1;
                int minFieldCount = 1 + Math.Max(Math.Max(user, item), Math.Max(value, Math.Max(timestamp, kind)));
                return new ColumnLayout(user, item, value, timestamp, kind, -1, minFieldCount);
            }

            if (!reader.ReadRecord())
            {
                throw reader.Error("expected a header row, found an empty file");
            }

            int headerFieldCount = reader.FieldCount;
            return new ColumnLayout(
                Find(reader, format.UserColumn, nameof(DelimitedFormat.UserColumn)),
                Find(reader, format.ItemColumn, nameof(DelimitedFormat.ItemColumn)),
                Find(reader, format.ValueColumn, nameof(DelimitedFormat.ValueColumn)),
                Find(reader, format.TimestampColumn, nameof(DelimitedFormat.TimestampColumn)),
                Find(reader, format.KindColumn, nameof(DelimitedFormat.KindColumn)),
                headerFieldCount,
                headerFieldCount);
        }

        public void CheckFieldCount(DelimitedTextReader reader)
        {
            if (HeaderFieldCount >= 0)
            {
                if (reader.FieldCount != HeaderFieldCount)
                {
                    throw reader.Error($"expected {HeaderFieldCount} {reader.DelimiterName}-separated fields as in the header, found {reader.FieldCount}");
                }
            }
            else if (reader.FieldCount < MinFieldCount)
            {
                throw reader.Error($"expected at least {MinFieldCount} {reader.DelimiterName}-separated fields, found {reader.FieldCount}");
            }
        }

        /// <summary>The field index of <paramref name="column"/> in the header row the reader is on.</summary>
        private static int Find(DelimitedTextReader reader, DelimitedColumn? column, string role)
        {
            if (column is null)
            {
                return -1;
            }

            if (column.Index is int index)
            {
                if (index >= reader.FieldCount)
                {
                    throw reader.Error($"expected {column} ({role}) in the header, found only {reader.FieldCount} columns");
                }

                return index;
            }

            ReadOnlySpan<char> name = column.Name.AsSpan().Trim();
            for (int i = 0; i < reader.FieldCount; i++)
            {
                if (reader.GetField(i).Trim().SequenceEqual(name))
                {
                    return i;
                }
            }

            throw reader.Error($"expected a column named '{column.Name}' ({role}) in the header, found {DescribeHeader(reader)}");
        }

        private static string DescribeHeader(DelimitedTextReader reader)
        {
            var names = new string[reader.FieldCount];
            for (int i = 0; i < names.Length; i++)
            {
                names[i] = $"'{reader.GetField(i)}'";
            }

            return string.Join(", ", names);
        }
    }
}
