using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace RecEngine.Data.Loading;

/// <summary>
/// Reads delimited text one record at a time and splits it into fields, for every loader in this namespace:
/// line ends LF or CRLF, a single- or multi-character delimiter, optional RFC 4180 quoting, strict UTF-8 or
/// ISO-8859-1, and a bound on line length so that a malformed file cannot make it buffer without limit.
/// </summary>
/// <remarks>
/// <para>
/// Lines are found in the raw bytes (both encodings keep <c>\n</c>, <c>\r</c>, quotes and ASCII delimiters as
/// single bytes), then each line is decoded on its own. That way an invalid UTF-8 sequence is reported on the
/// line that holds it, not on whichever line happened to share a decoder buffer with it.
/// </para>
/// <para>
/// Fields are views into one reused character buffer and stay valid until the next <see cref="ReadRecord"/>.
/// With quoting on, a field that starts with <c>"</c> runs to the matching <c>"</c>; <c>""</c> inside it stands
/// for one quote (RFC 4180 section 2, rules 5-7) and it may span lines (each line end becomes <c>\n</c>). A quote
/// inside an unquoted field is an ordinary character.
/// </para>
/// <para>Not thread-safe.</para>
/// </remarks>
internal sealed class DelimitedTextReader : IDisposable
{
    /// <summary>The default bound on the length of a line, in bytes: 1 MiB.</summary>
    public const int DefaultMaxLineLength = 1 << 20;

    /// <summary>The largest bound on line length a caller may set, in bytes: 1 GiB.</summary>
    public const int MaxLineLengthLimit = 1 << 30;

    private const int InitialByteBufferSize = 64 * 1024;
    private const int InitialCharBufferSize = 256;
    private const int InitialFieldCapacity = 8;
    private const int QuotedTextLimit = 40;

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly string _delimiter;
    private readonly char _delimiterChar;
    private readonly bool _quotes;
    private readonly FileEncoding _encoding;
    private readonly int _maxLineLength;
    private readonly bool _skipBlankLines;

    private byte[] _bytes;
    private int _byteStart;
    private int _byteEnd;
    private bool _endOfStream;
    private bool _checkPreamble;

    private char[] _chars = new char[InitialCharBufferSize];
    private int _charLength;
    private int _recordByteLength;
    private int[] _fieldStarts = new int[InitialFieldCapacity];
    private int[] _fieldLengths = new int[InitialFieldCapacity];
    private int _fieldCount;
    private long _nextLineNumber = 1;

    /// <summary>Creates a reader over <paramref name="stream"/>.</summary>
    /// <param name="stream">The bytes to read, from the current position.</param>
    /// <param name="sourceName">The file path or caller-given name used in error messages.</param>
    /// <param name="delimiter">The field delimiter; not empty, no line-end characters, no quote when quoting is on.</param>
    /// <param name="quotes">Whether fields may be quoted as in RFC 4180.</param>
    /// <param name="encoding">The text encoding.</param>
    /// <param name="maxLineLength">The longest line (or quoted record spanning lines) accepted, in bytes without the line end.</param>
    /// <param name="skipBlankLines">Whether lines that are empty or white space are skipped rather than returned.</param>
    /// <param name="ownsStream">Whether <see cref="Dispose"/> disposes <paramref name="stream"/>.</param>
    public DelimitedTextReader(
        Stream stream, string sourceName, string delimiter, bool quotes, FileEncoding encoding,
        int maxLineLength = DefaultMaxLineLength, bool skipBlankLines = true, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentException.ThrowIfNullOrEmpty(delimiter);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxLineLength, MaxLineLengthLimit);
        _stream = stream;
        _ownsStream = ownsStream;
        SourceName = sourceName;
        _delimiter = delimiter;
        _delimiterChar = delimiter[0];
        _quotes = quotes;
        _encoding = encoding;
        _maxLineLength = maxLineLength;
        _skipBlankLines = skipBlankLines;
        _checkPreamble = encoding == FileEncoding.Utf8;
        _bytes = new byte[Math.Min(InitialByteBufferSize, maxLineLength + 2)];
    }

    /// <summary>Opens <paramref name="path"/> for reading; the reader owns the file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static DelimitedTextReader OpenFile(
        string path, string delimiter, bool quotes, FileEncoding encoding,
        int maxLineLength = DefaultMaxLineLength, bool skipBlankLines = true)
    {
        // FileStream reports a missing folder as DirectoryNotFoundException; for a caller who named a file the
        // file is what is missing.
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Could not find the file '{path}'.", path);
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        return new DelimitedTextReader(stream, path, delimiter, quotes, encoding, maxLineLength, skipBlankLines, ownsStream: true);
    }

    /// <summary>The file path or caller-given name used in error messages.</summary>
    public string SourceName { get; }

    /// <summary>
    /// The 1-based line the current record starts on; after <see cref="ReadRecord"/> returned
    /// <see langword="false"/>, the line after the last one (where more data would have been).
    /// </summary>
    public long LineNumber { get; private set; } = 1;

    /// <summary>Number of fields in the current record.</summary>
    public int FieldCount => _fieldCount;

    /// <summary>The delimiter, for messages: "tab", "comma", or the delimiter in quotes.</summary>
    public string DelimiterName => DescribeDelimiter(_delimiter);

    /// <summary>The text of field <paramref name="index"/> of the current record, with quoting removed.</summary>
    public ReadOnlySpan<char> GetField(int index)
    {
        if ((uint)index >= (uint)_fieldCount)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Field index must be in [0, {_fieldCount}).");
        }

        return _chars.AsSpan(_fieldStarts[index], _fieldLengths[index]);
    }

    /// <summary>Advances to the next record.</summary>
    /// <returns><see langword="false"/> at the end of the input.</returns>
    /// <exception cref="DataFormatException">A line is too long, is not valid in the encoding, or has a bad quote.</exception>
    public bool ReadRecord()
    {
        while (true)
        {
            _charLength = 0;
            _recordByteLength = 0;
            _fieldCount = 0;
            LineNumber = _nextLineNumber;
            if (!AppendNextLine())
            {
                return false;
            }

            if (_skipBlankLines && _chars.AsSpan(0, _charLength).IsWhiteSpace())
            {
                continue;
            }

            SplitFields();
            return true;
        }
    }

    /// <summary>An error at the current record's line.</summary>
    public DataFormatException Error(string detail) => new(SourceName, LineNumber, detail);

    /// <summary>Throws unless the current record has exactly <paramref name="count"/> fields.</summary>
    /// <param name="count">The expected number of fields.</param>
    /// <param name="names">The fields' names for the message, for example <c>"user, item, rating, timestamp"</c>.</param>
    public void ExpectFieldCount(int count, string names)
    {
        if (_fieldCount != count)
        {
            throw Error($"expected {count} {DelimiterName}-separated fields ({names}), found {_fieldCount}");
        }
    }

    /// <summary>Field <paramref name="index"/>, which must not be empty or white space.</summary>
    /// <param name="index">The field index.</param>
    /// <param name="what">What the field holds, for the message, for example <c>"user id"</c>.</param>
    public ReadOnlySpan<char> GetRequiredField(int index, string what)
    {
        ReadOnlySpan<char> text = GetField(index);
        if (text.IsWhiteSpace())
        {
            throw Error($"expected a {what} in field {index + 1}, found {Describe(text)}");
        }

        return text;
    }

    /// <summary>Field <paramref name="index"/>, which must be a non-negative integer written with digits only.</summary>
    public ReadOnlySpan<char> GetNumericId(int index, string what)
    {
        ReadOnlySpan<char> text = GetField(index);
        if (text.IsEmpty || text.ContainsAnyExceptInRange('0', '9'))
        {
            throw Error($"expected a numeric {what} in field {index + 1}, found {Describe(text)}");
        }

        return text;
    }

    /// <summary>Field <paramref name="index"/> as a finite number (invariant culture).</summary>
    public float ParseSingle(int index, string what)
    {
        ReadOnlySpan<char> text = GetField(index);
        if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
        {
            throw Error($"expected a number ({what}) in field {index + 1}, found {Describe(text)}");
        }

        return value;
    }

    /// <summary>Field <paramref name="index"/> as a timestamp, converted to Unix milliseconds.</summary>
    /// <exception cref="DataFormatException">The field is not a timestamp in <paramref name="format"/>, or is out of range.</exception>
    public long ParseTimestamp(int index, TimestampFormat format)
    {
        ReadOnlySpan<char> text = GetField(index);
        switch (format)
        {
            case TimestampFormat.UnixSeconds:
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long seconds)
                    && seconds >= MinUnixMilliseconds / 1000 && seconds <= MaxUnixMilliseconds / 1000)
                {
                    return seconds * 1000;
                }

                throw Error($"expected a timestamp in Unix seconds in field {index + 1}, found {Describe(text)}");

            case TimestampFormat.UnixMilliseconds:
                if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long milliseconds)
                    && milliseconds >= MinUnixMilliseconds && milliseconds <= MaxUnixMilliseconds)
                {
                    return milliseconds;
                }

                throw Error($"expected a timestamp in Unix milliseconds in field {index + 1}, found {Describe(text)}");

            case TimestampFormat.Iso8601:
                if (DateTimeOffset.TryParseExact(
                    text.Trim(), Iso8601Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset time))
                {
                    return time.ToUnixTimeMilliseconds();
                }

                throw Error($"expected an ISO 8601 timestamp such as 2024-05-01T12:30:00Z in field {index + 1}, found {Describe(text)}");

            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown timestamp format.");
        }
    }

    /// <summary>Text for a message: quoted, shortened when long, or "an empty field".</summary>
    public static string Describe(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return "an empty field";
        }

        return text.Length <= QuotedTextLimit ? $"'{text}'" : $"'{text[..QuotedTextLimit]}…' ({text.Length} characters)";
    }

    /// <summary>A delimiter's name for messages: "tab", "comma", or the delimiter in quotes.</summary>
    public static string DescribeDelimiter(string delimiter) => delimiter switch
    {
        "\t" => "tab",
        "," => "comma",
        ";" => "semicolon",
        "|" => "pipe",
        " " => "space",
        _ => $"'{delimiter}'",
    };

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsStream)
        {
            _stream.Dispose();
        }
    }

    // The range of DateTimeOffset (years 0001 to 9999) in Unix milliseconds, so every loaded timestamp converts back.
    private const long MinUnixMilliseconds = -62_135_596_800_000;
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    // ISO 8601 / RFC 3339 shapes: date, or date and time with 'T' or a space, optional fraction, optional offset
    // ("K" accepts Z, +hh:mm or nothing; no offset means UTC).
    private static readonly string[] Iso8601Formats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mmK",
        "yyyy-MM-dd HH:mm:ssK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    /// <summary>Reads one physical line and appends its characters to the record buffer.</summary>
    /// <returns><see langword="false"/> at the end of the input.</returns>
    private bool AppendNextLine()
    {
        long lineNumber = _nextLineNumber;
        if (!TryTakeLine(lineNumber, out int start, out int length))
        {
            return false;
        }

        _nextLineNumber++;
        if (length > _maxLineLength)
        {
            throw LineTooLong(lineNumber);
        }

        _recordByteLength += length;
        if (_recordByteLength > _maxLineLength)
        {
            throw Error($"expected a record of at most {_maxLineLength} bytes, found a quoted field that is still open after {_recordByteLength} bytes on line {lineNumber}; is a closing quote missing?");
        }

        // A UTF-8 line never decodes to more UTF-16 chars than it has bytes; ISO-8859-1 is one char per byte.
        EnsureCharCapacity(_charLength + length);
        ReadOnlySpan<byte> bytes = _bytes.AsSpan(start, length);
        Span<char> destination = _chars.AsSpan(_charLength);
        if (_encoding == FileEncoding.Latin1)
        {
            _charLength += Encoding.Latin1.GetChars(bytes, destination);
        }
        else
        {
            OperationStatus status = Utf8.ToUtf16(bytes, destination, out int read, out int written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                throw new DataFormatException(
                    SourceName, lineNumber,
                    $"expected UTF-8 text, found the byte 0x{bytes[read]:X2} at byte {read + 1} of the line, which is not valid UTF-8 there");
            }

            _charLength += written;
        }

        return true;
    }

    /// <summary>Finds the next line in the byte buffer, reading more as needed.</summary>
    private bool TryTakeLine(long lineNumber, out int start, out int length)
    {
        if (_checkPreamble)
        {
            SkipUtf8Preamble();
        }

        int scanned = 0;
        while (true)
        {
            int pending = _byteEnd - _byteStart;
            int newline = _bytes.AsSpan(_byteStart + scanned, pending - scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                start = _byteStart;
                length = scanned + newline;
                _byteStart += length + 1;
                TrimCarriageReturn(start, ref length);
                return true;
            }

            scanned = pending;

            // Room for the longest allowed line plus "\r" is all that is ever buffered.
            if (pending > _maxLineLength + 1)
            {
                throw LineTooLong(lineNumber);
            }

            if (_endOfStream)
            {
                start = _byteStart;
                length = pending;
                _byteStart = _byteEnd;
                if (length == 0)
                {
                    return false;
                }

                TrimCarriageReturn(start, ref length);
                return true;
            }

            Fill();
        }
    }

    // Only the first bytes of an over-long line are ever buffered, so its full length is not known.
    private DataFormatException LineTooLong(long lineNumber) =>
        new(SourceName, lineNumber, $"expected a line of at most {_maxLineLength} bytes (the line length limit), found a longer one");

    private void TrimCarriageReturn(int start, ref int length)
    {
        if (length > 0 && _bytes[start + length - 1] == (byte)'\r')
        {
            length--;
        }
    }

    private void SkipUtf8Preamble()
    {
        _checkPreamble = false;
        ReadOnlySpan<byte> preamble = "\uFEFF"u8;
        while (_byteEnd - _byteStart < preamble.Length && !_endOfStream)
        {
            Fill();
        }

        if (_bytes.AsSpan(_byteStart, _byteEnd - _byteStart).StartsWith(preamble))
        {
            _byteStart += preamble.Length;
        }
    }

    /// <summary>Moves the unread bytes to the front, grows the buffer if it is full, and reads more.</summary>
    private void Fill()
    {
        int pending = _byteEnd - _byteStart;
        if (_byteStart > 0)
        {
            _bytes.AsSpan(_byteStart, pending).CopyTo(_bytes);
            _byteStart = 0;
            _byteEnd = pending;
        }

        if (_byteEnd == _bytes.Length)
        {
            int grown = (int)Math.Min(2L * _bytes.Length, _maxLineLength + 2L);
            Array.Resize(ref _bytes, grown);
        }

        int read = _stream.Read(_bytes, _byteEnd, _bytes.Length - _byteEnd);
        if (read == 0)
        {
            _endOfStream = true;
        }
        else
        {
            _byteEnd += read;
        }
    }

    private void EnsureCharCapacity(int capacity)
    {
        if (capacity > _chars.Length)
        {
            Array.Resize(ref _chars, (int)Math.Max(capacity, Math.Min(2L * _chars.Length, Array.MaxLength)));
        }
    }

    /// <summary>Splits the record buffer into fields, unescaping quoted fields in place.</summary>
    private void SplitFields()
    {
        int position = 0;
        while (true)
        {
            if (_quotes && position < _charLength && _chars[position] == '"')
            {
                position = SplitQuotedField(position);
                if (position == _charLength)
                {
                    return;
                }

                if (!_chars.AsSpan(position, _charLength - position).StartsWith(_delimiter))
                {
                    throw Error(
                        $"expected a {DelimiterName} or the end of the line after the closing quote of field {_fieldCount}, found '{_chars[position]}'");
                }

                position += _delimiter.Length;
                continue;
            }

            ReadOnlySpan<char> rest = _chars.AsSpan(position, _charLength - position);
            int delimiter = _delimiter.Length == 1 ? rest.IndexOf(_delimiterChar) : rest.IndexOf(_delimiter);
            if (delimiter < 0)
            {
                AddField(position, rest.Length);
                return;
            }

            AddField(position, delimiter);
            position += delimiter + _delimiter.Length;
        }
    }

    /// <summary>
    /// Unescapes the quoted field whose opening quote is at <paramref name="openingQuote"/>, reading further lines
    /// while it is open, and adds it.
    /// </summary>
    /// <returns>The position just after the closing quote.</returns>
    private int SplitQuotedField(int openingQuote)
    {
        // The unescaped text is never longer than the escaped text, so it is written over the field's own
        // characters, starting at the opening quote; the reads always stay ahead of the writes.
        int write = openingQuote;
        int read = openingQuote + 1;
        while (true)
        {
            int quote = _chars.AsSpan(read, _charLength - read).IndexOf('"');
            if (quote < 0)
            {
                int tail = _charLength - read;
                _chars.AsSpan(read, tail).CopyTo(_chars.AsSpan(write));
                write += tail;
                int lineStart = _charLength;
                if (!AppendLineBreakAndNextLine())
                {
                    throw Error($"expected a closing quote for field {_fieldCount + 1}, found the end of the file");
                }

                read = lineStart;
                continue;
            }

            _chars.AsSpan(read, quote).CopyTo(_chars.AsSpan(write));
            write += quote;
            read += quote + 1;
            if (read < _charLength && _chars[read] == '"')
            {
                _chars[write++] = '"';
                read++;
                continue;
            }

            AddField(openingQuote, write - openingQuote);
            return read;
        }
    }

    private bool AppendLineBreakAndNextLine()
    {
        int before = _charLength;
        EnsureCharCapacity(_charLength + 1);
        _chars[_charLength++] = '\n';
        if (AppendNextLine())
        {
            return true;
        }

        _charLength = before;
        return false;
    }

    private void AddField(int start, int length)
    {
        if (_fieldCount == _fieldStarts.Length)
        {
            Array.Resize(ref _fieldStarts, _fieldCount * 2);
            Array.Resize(ref _fieldLengths, _fieldCount * 2);
        }

        _fieldStarts[_fieldCount] = start;
        _fieldLengths[_fieldCount] = length;
        _fieldCount++;
    }
}
