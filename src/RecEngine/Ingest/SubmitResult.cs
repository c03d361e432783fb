namespace RecEngine.Ingest;

/// <summary>The outcome of submitting one event.</summary>
/// <param name="Reason"><see cref="EventRejectionReason.None"/> when the event was accepted, otherwise why it was not.</param>
public readonly record struct SubmitResult(EventRejectionReason Reason)
{
    /// <summary>An accepted event.</summary>
    public static SubmitResult Ok => default;

    /// <summary>Whether the event was accepted (it will be applied unless dropped by <see cref="FullQueuePolicy.DropOldest"/>).</summary>
    public bool Accepted => Reason == EventRejectionReason.None;

    /// <summary>A rejection for <paramref name="reason"/>.</summary>
    public static SubmitResult Rejected(EventRejectionReason reason) => new(reason);
}

/// <summary>One rejected event of a multi-event submission.</summary>
/// <param name="Position">The event's position in the submitted sequence, from 0.</param>
/// <param name="Reason">Why it was rejected.</param>
public readonly record struct Rejection(long Position, EventRejectionReason Reason);

/// <summary>The outcome of submitting several events.</summary>
/// <param name="Accepted">How many were accepted.</param>
/// <param name="Rejections">Every rejected event, in submission order.</param>
public sealed record BatchSubmitResult(long Accepted, IReadOnlyList<Rejection> Rejections);
