namespace RecEngine.Ingest;

/// <summary>What a submission does when the ingest queue is full.</summary>
public enum FullQueuePolicy
{
    /// <summary>Wait (asynchronously, cancellably) until there is room: back-pressure on the producer.</summary>
    Wait,

    /// <summary>Return at once with <see cref="EventRejectionReason.QueueFull"/>; the event is counted as rejected.</summary>
    Reject,

    /// <summary>Accept the event and drop the oldest queued one, which is counted as dropped and never applied.</summary>
    DropOldest,
}
