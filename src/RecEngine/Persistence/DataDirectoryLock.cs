namespace RecEngine.Persistence;

/// <summary>
/// Holds a data directory for one engine: an exclusively opened lock file, so a second engine (in this process or
/// another) cannot append to the same event log and overwrite acknowledged events.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    /// <summary>The lock file's name in the data directory.</summary>
    public const string FileName = "engine.lock";

    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    /// <summary>Creates <paramref name="directory"/> if needed and takes its lock.</summary>
    /// <exception cref="IOException">Another engine holds the directory, or it cannot be created.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory or its lock file may not be written.</exception>
    public static DataDirectoryLock Acquire(string directory)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName);
        try
        {
            return new DataDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new IOException($"The data directory '{directory}' is in use by another engine (its lock file '{path}' is held).", e);
        }
    }

    /// <summary>Releases the directory.</summary>
    public void Dispose() => _file.Dispose();
}
