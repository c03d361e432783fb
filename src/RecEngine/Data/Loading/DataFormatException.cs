namespace RecEngine.Data.Loading;

/// <summary>
/// A data file, or a stream read as one, does not have the expected format. The message names the source and the
/// line, says what was expected and what was found, for example
/// <c>u.data:17: expected 4 tab-separated fields (user, item, rating, timestamp), found 3</c>.
/// </summary>
/// <remarks>
/// <para>
/// Loaders throw it before they return anything, so a failed load never leaves a partly built dataset behind.
/// </para>
/// <para>
/// It derives from <see cref="IOException"/> (<see cref="InvalidDataException"/>, the framework's type for a
/// stream in an invalid format, is sealed), so one <c>catch (IOException)</c> handles a file that is missing,
/// unreadable or malformed.
/// </para>
/// </remarks>
public sealed class DataFormatException : IOException
{
    /// <summary>Creates the exception for a problem at one line of a source.</summary>
    /// <param name="filePath">The file path, or the source name the caller gave for a stream.</param>
    /// <param name="lineNumber">The 1-based line the problem is on.</param>
    /// <param name="detail">What was expected and what was found, without the source and line prefix.</param>
    /// <param name="innerException">The exception that revealed the problem, if any.</param>
    /// <exception cref="ArgumentNullException"><paramref name="filePath"/> or <paramref name="detail"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lineNumber"/> is less than 1.</exception>
    public DataFormatException(string filePath, long lineNumber, string detail, Exception? innerException = null)
        : base(FormatMessage(filePath, lineNumber, detail), innerException)
    {
        FilePath = filePath;
        LineNumber = lineNumber;
        Detail = detail;
    }

    /// <summary>The file path, or the source name the caller gave when loading from a stream.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based number of the line the problem is on (for a record that spans lines, its first line).</summary>
    public long LineNumber { get; }

    /// <summary>What was expected and what was found: the message without the <c>source:line:</c> prefix.</summary>
    public string Detail { get; }

    private static string FormatMessage(string filePath, long lineNumber, string detail)
    {
        ArgumentNullException.ThrowIfNull(filePath);
        ArgumentNullException.ThrowIfNull(detail);
        ArgumentOutOfRangeException.ThrowIfLessThan(lineNumber, 1);
        return $"{filePath}:{lineNumber}: {detail}";
    }
}
