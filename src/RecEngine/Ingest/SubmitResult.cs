namespace RecEngine.Ingest;

/// <summary>The outcome of submitting one event.</summary>
/// <param name="Reason"><see cref="EventRejectionReason.None"/> when the event was accepted, otherwise why it was not.</param>
internal readonly record struct SubmitResult(EventRejectionReason Reason)
{
    /// <summary>An accepted event.</summary>
    public static SubmitResult Ok => default;

    /// <summary>Whether the event was accepted (it will be applied unless dropped by <see cref="FullQueuePolicy.DropOldest"/>).</summary>
    public bool Accepted => Reason == EventRejectionReason.None;

    public static SubmitResult Rejected(EventRejectionReason reason) => new(reason);
}

/// <summary>The outcome of submitting several events.</summary>
/// <param name="Accepted">How many were accepted.</param>
/// <param name="Rejections">The position in the submitted sequence and the reason of every rejected event, in order.</param>
internal sealed record BatchSubmitResult(long Accepted, IReadOnlyList<(long Position, EventRejectionReason Reason)> Rejections);
