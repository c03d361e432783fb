using RecEngine.Data;
using RecEngine.Ingest;

namespace RecEngine;

/// <summary>
/// The event-ingest side of a <see cref="RecommendationEngine"/>, for code that only feeds events (a controller, a
/// message consumer): submit events as they happen and flush for read-your-writes. Dependency injection registers
/// the engine under this interface; see <see cref="RecommendationEngine"/> for the full contract.
/// </summary>
public interface IEventIngest
{
    /// <summary>A snapshot of the ingest counters (accepted, applied, rejected by reason, dropped, failed, queued).</summary>
    IngestCounters Counters { get; }

    /// <summary>Checks one event and queues it; see <see cref="RecommendationEngine.SubmitAsync(Interaction, CancellationToken)"/>.</summary>
    ValueTask<SubmitResult> SubmitAsync(Interaction interaction, CancellationToken cancellationToken = default);

    /// <summary>Submits events in order; see <see cref="RecommendationEngine.SubmitAsync(IEnumerable{Interaction}, CancellationToken)"/>.</summary>
    ValueTask<BatchSubmitResult> SubmitAsync(IEnumerable<Interaction> interactions, CancellationToken cancellationToken = default);

    /// <summary>Submits a stream of events in order; see <see cref="RecommendationEngine.SubmitAsync(IAsyncEnumerable{Interaction}, CancellationToken)"/>.</summary>
    ValueTask<BatchSubmitResult> SubmitAsync(IAsyncEnumerable<Interaction> interactions, CancellationToken cancellationToken = default);

    /// <summary>Completes when every event submitted before the call is applied; see <see cref="RecommendationEngine.FlushAsync"/>.</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);
}
