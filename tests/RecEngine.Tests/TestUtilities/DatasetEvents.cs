using RecEngine.Data;
using RecEngine.Ingest;

namespace RecEngine.Tests.TestUtilities;

/// <summary>Rows of a dataset as the ingest pipeline hands them to a live model.</summary>
internal static class DatasetEvents
{
    /// <summary>The rows as weighted events, numbered from <paramref name="sequence"/> + 1 (which is advanced).</summary>
    public static WeightedEvent[] Of(InteractionDataset dataset, ReadOnlySpan<int> rows, ref long sequence)
    {
        var events = new WeightedEvent[rows.Length];
        for (int e = 0; e < rows.Length; e++)
        {
            events[e] = new WeightedEvent(dataset[rows[e]], dataset.Weights[rows[e]], ++sequence);
        }

        return events;
    }
}
