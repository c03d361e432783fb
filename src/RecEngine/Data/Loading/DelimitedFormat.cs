namespace RecEngine.Data.Loading;

/// <summary>
/// Describes a delimited text file of interactions (one per row) for <see cref="DelimitedInteractionLoader"/>:
/// the delimiter, whether there is a header row, which columns hold the user, the item and the optional value,
/// timestamp and event kind, and the limits that keep a malformed file from using unbounded memory.
/// </summary>
/// <remarks>
/// The defaults describe an RFC 4180 CSV file with a header whose first column is the user and second the item.
/// Not thread-safe for writes; a configured format can be shared by concurrent loads.
/// </remarks>
public sealed class DelimitedFormat
{
    /// <summary>The field delimiter, one or more characters, for example <c>","</c>, <c>"\t"</c> or <c>"::"</c>.</summary>
    /// <value>The default value is <c>","</c>.</value>
    public string Delimiter { get; set; } = ",";

    /// <summary>Whether the first line is a header row naming the columns (it is not loaded as an interaction).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool HasHeader { get; set; } = true;

    /// <summary>
    /// Whether fields may be quoted as in RFC 4180: a field that starts with <c>"</c> ends at the matching
    /// <c>"</c>, may contain the delimiter and line breaks, and writes a quote as <c>""</c>. When false, quotes are
    /// ordinary characters.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool AllowQuotedFields { get; set; } = true;

    /// <summary>Whether lines that are empty or only white space are skipped; when false they are format errors.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool SkipBlankLines { get; set; } = true;

    /// <summary>The column holding the user id.</summary>
    /// <value>The default value is the first column.</value>
    public DelimitedColumn UserColumn { get; set; } = DelimitedColumn.At(0);

    /// <summary>The column holding the item id.</summary>
    /// <value>The default value is the second column.</value>
    public DelimitedColumn ItemColumn { get; set; } = DelimitedColumn.At(1);

    /// <summary>
    /// The column holding the interaction's value (a number in invariant culture, for example a rating), or
    /// <see langword="null"/> when every interaction has value 1.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public DelimitedColumn? ValueColumn { get; set; }

    /// <summary>
    /// The column holding the timestamp, written as <see cref="TimestampFormat"/> says, or <see langword="null"/>
    /// when the file has none (every interaction then has timestamp 0, the Unix epoch, and file order decides ties).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public DelimitedColumn? TimestampColumn { get; set; }

    /// <summary>How <see cref="TimestampColumn"/> is written.</summary>
    /// <value>The default value is <see cref="TimestampFormat.UnixSeconds"/>.</value>
    public TimestampFormat TimestampFormat { get; set; } = TimestampFormat.UnixSeconds;

    /// <summary>
    /// The column holding the event kind's name (for example <c>view</c> or <c>purchase</c>, compared ordinally),
    /// or <see langword="null"/> when every row has <see cref="DefaultKind"/>. A name the loader's
    /// <see cref="EventWeights"/> does not know is a format error.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public DelimitedColumn? KindColumn { get; set; }

    /// <summary>The kind of every interaction when <see cref="KindColumn"/> is <see langword="null"/>.</summary>
    /// <value>The default value is <see cref="EventKind.Rating"/>.</value>
    public EventKind DefaultKind { get; set; } = EventKind.Rating;

    /// <summary>
    /// The longest line accepted, in bytes of UTF-8 without the line end; a record whose quoted field spans lines
    /// counts all its lines. A longer line is a format error, so memory stays bounded whatever the input.
    /// </summary>
    /// <value>The default value is 1,048,576 (1 MiB). At most 1,073,741,824 (1 GiB).</value>
    public int MaxLineLength { get; set; } = DelimitedTextReader.DefaultMaxLineLength;

    /// <summary>The most interaction rows accepted (not counting the header and skipped blank lines); more is a format error.</summary>
    /// <value>The default value is <see cref="int.MaxValue"/>.</value>
    public int MaxRows { get; set; } = int.MaxValue;

    /// <summary>Checks the format.</summary>
    /// <exception cref="ArgumentException">A property has an invalid value; the exception names the property.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Delimiter))
        {
            throw new ArgumentException("The delimiter must not be null or empty.", nameof(Delimiter));
        }

        if (Delimiter.AsSpan().ContainsAny('\r', '\n'))
        {
            throw new ArgumentException("The delimiter must not contain a line break.", nameof(Delimiter));
        }

        if (AllowQuotedFields && Delimiter.Contains('"', StringComparison.Ordinal))
        {
            throw new ArgumentException("The delimiter must not contain a quote when quoted fields are allowed.", nameof(Delimiter));
        }

        ValidateColumn(UserColumn, nameof(UserColumn), required: true);
        ValidateColumn(ItemColumn, nameof(ItemColumn), required: true);
        ValidateColumn(ValueColumn, nameof(ValueColumn), required: false);
        ValidateColumn(TimestampColumn, nameof(TimestampColumn), required: false);
        ValidateColumn(KindColumn, nameof(KindColumn), required: false);
        if (!Enum.IsDefined(TimestampFormat))
        {
            throw new ArgumentOutOfRangeException(nameof(TimestampFormat), TimestampFormat, "Unknown timestamp format.");
        }

        if (MaxLineLength is < 1 or > DelimitedTextReader.MaxLineLengthLimit)
        {
            throw new ArgumentOutOfRangeException(
                nameof(MaxLineLength), MaxLineLength, $"The line length limit must be in [1, {DelimitedTextReader.MaxLineLengthLimit}].");
        }

        if (MaxRows < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRows), MaxRows, "The row limit must be at least 1.");
        }
    }

    private void ValidateColumn(DelimitedColumn? column, string property, bool required)
    {
        if (column is null)
        {
            if (required)
            {
                throw new ArgumentNullException(property, "The column must be set.");
            }

            return;
        }

        if (column.Name is not null && !HasHeader)
        {
            throw new ArgumentException($"{column} is chosen by name, which needs a header row (HasHeader = true).", property);
        }
    }
}
