namespace RecEngine.Ingest;

/// <summary>Why an event was not accepted for ingestion. Rejected events are counted and never applied.</summary>
public enum EventRejectionReason
{
    /// <summary>Not rejected.</summary>
    None,

    /// <summary>The user id is null or empty.</summary>
    EmptyUserId,

    /// <summary>The item id is null or empty.</summary>
    EmptyItemId,

    /// <summary>An id or the kind's name is longer than <see cref="IngestOptions.MaxIdLength"/>.</summary>
    IdTooLong,

    /// <summary>An id or the kind's name is not well-formed UTF-16 (an unpaired surrogate), so it cannot be stored.</summary>
    MalformedText,

    /// <summary>The value is NaN or infinite, or its weight is.</summary>
    NonFiniteValue,

    /// <summary>The event's weight is negative and <see cref="IngestOptions.AllowNegativeWeights"/> is off.</summary>
    NegativeWeight,

    /// <summary>The event kind has no configured weight and unknown kinds are rejected.</summary>
    UnknownKind,

    /// <summary>The queue is full and <see cref="IngestOptions.FullQueuePolicy"/> is <see cref="FullQueuePolicy.Reject"/>.</summary>
    QueueFull,

    /// <summary>The engine is stopping or stopped.</summary>
    Stopped,

    /// <summary>
    /// Queued, then dropped by <see cref="FullQueuePolicy.DropOldest"/> before it was applied. Reported only to
    /// submissions that wait for durability; the others counted it in <see cref="IngestCounters.Dropped"/>.
    /// </summary>
    Dropped,

    /// <summary>The event's user is new and the engine already has <see cref="IngestOptions.MaxUsers"/> users.</summary>
    TooManyUsers,

    /// <summary>The event's item is new and the engine already has <see cref="IngestOptions.MaxItems"/> items.</summary>
    TooManyItems,
}
