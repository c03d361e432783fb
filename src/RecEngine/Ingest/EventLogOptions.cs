namespace RecEngine.Ingest;

/// <summary>When the event log forces its writes to stable storage.</summary>
public enum FsyncPolicy
{
    /// <summary>After every appended batch: an append that returned survives a power loss.</summary>
    PerBatch,

    /// <summary>At most every <see cref="EventLogOptions.FsyncInterval"/>; an append survives a process crash at once.</summary>
    Interval,

    /// <summary>Never (the operating system decides); an append survives a process crash, not a power loss.</summary>
    None,
}

/// <summary>Options of the event log (the write-ahead log kept when the engine has a data directory).</summary>
public sealed class EventLogOptions
{
    /// <summary>When writes are forced to stable storage. The default is <see cref="FsyncPolicy.PerBatch"/>.</summary>
    public FsyncPolicy Fsync { get; set; } = FsyncPolicy.PerBatch;

    /// <summary>The longest time between two forced writes under <see cref="FsyncPolicy.Interval"/>. The default is 100 ms.</summary>
    public TimeSpan FsyncInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the exception names the property.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Fsync))
        {
            throw new ArgumentOutOfRangeException(nameof(Fsync), Fsync, "Unknown fsync policy.");
        }

        if (FsyncInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(FsyncInterval), FsyncInterval, "FsyncInterval must be positive.");
        }
    }
}
