namespace RecEngine.Data.Loading;

/// <summary>How a timestamp column of a delimited file is written.</summary>
public enum TimestampFormat
{
    /// <summary>An integer number of seconds since 1970-01-01T00:00:00Z, for example <c>881250949</c>.</summary>
    UnixSeconds,

    /// <summary>An integer number of milliseconds since 1970-01-01T00:00:00Z, for example <c>881250949000</c>.</summary>
    UnixMilliseconds,

    /// <summary>
    /// An ISO 8601 date or date and time, with <c>T</c> or a space between them, optional fractional seconds and an
    /// optional offset, for example <c>2024-05-01</c>, <c>2024-05-01T12:30:00Z</c> or
    /// <c>2024-05-01 14:30:00.250+02:00</c>. A value without an offset is taken as UTC.
    /// </summary>
    Iso8601,
}
