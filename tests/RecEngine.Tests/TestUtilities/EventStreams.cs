using RecEngine.Data;
using RecEngine.Data.Synthetic;

namespace RecEngine.Tests.TestUtilities;

/// <summary>Synthetic event streams for engine tests.</summary>
internal static class EventStreams
{
    /// <summary>A synthetic dataset in time order: the first half to start an engine from, the second to submit as events.</summary>
    public static (InteractionDataset All, InteractionDataset Start, Interaction[] Events) TimeOrdered(int users, int items, int interactions)
    {
        InteractionDataset all = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { UserCount = users, ItemCount = items, InteractionCount = interactions, Feedback = SyntheticFeedback.ImplicitEvents });
        int[] order = [.. Enumerable.Range(0, all.Count).OrderBy(r => all.Timestamps[r]).ThenBy(r => r)];
        int half = order.Length / 2;
        return (all, all.Subset(order.AsSpan(0, half)), [.. order[half..].Select(r => all[r])]);
    }
}
