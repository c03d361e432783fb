using RecEngine.Data;

namespace RecEngine.Ingest;

/// <summary>An accepted event with its weight and its sequence: its position in the order of application, from 1.</summary>
internal readonly record struct WeightedEvent(Interaction Event, float Weight, long Sequence)
{
    /// <summary>The number a model counts for this event: 1, the weight, or the raw value.</summary>
    public float ValueFor(MatrixValues values) => values switch
    {
        MatrixValues.One => 1f,
        MatrixValues.Weight => Weight,
        _ => Event.Value,
    };
}

/// <summary>
/// Applies micro-batches of accepted events to model state. Called by one pipeline thread at a time, in submission
/// order, so an implementation needs no locking against other writers.
/// </summary>
internal interface IEventApplier
{
    /// <summary>Applies <paramref name="batch"/>, events in submission order.</summary>
    void Apply(ReadOnlySpan<WeightedEvent> batch);
}
