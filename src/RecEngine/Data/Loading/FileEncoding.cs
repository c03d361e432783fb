namespace RecEngine.Data.Loading;

/// <summary>The character encodings the loaders read.</summary>
internal enum FileEncoding
{
    /// <summary>UTF-8, strictly: an invalid byte sequence is a format error. A leading byte order mark is skipped.</summary>
    Utf8,

    /// <summary>ISO-8859-1: every byte is the character with the same code (older MovieLens releases).</summary>
    Latin1,
}
