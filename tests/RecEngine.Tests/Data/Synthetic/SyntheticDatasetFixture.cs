using RecEngine.Data;
using RecEngine.Data.Synthetic;

namespace RecEngine.Tests.Data.Synthetic;

/// <summary>The default quickstart shape in both feedback modes, generated once per test class with the hidden truth.</summary>
public sealed class SyntheticDatasetFixture
{
    public SyntheticDatasetFixture()
    {
        Ratings = SyntheticDatasetGenerator.GenerateWithTruth(new SyntheticDatasetOptions(), out SyntheticTruth ratingsTruth);
        RatingsTruth = ratingsTruth;
        Implicit = SyntheticDatasetGenerator.GenerateWithTruth(
            new SyntheticDatasetOptions { Feedback = SyntheticFeedback.ImplicitEvents }, out SyntheticTruth implicitTruth);
        ImplicitTruth = implicitTruth;
    }

    public InteractionDataset Ratings { get; }

    internal SyntheticTruth RatingsTruth { get; }

    public InteractionDataset Implicit { get; }

    internal SyntheticTruth ImplicitTruth { get; }

    /// <summary>Each user's item indices in time order.</summary>
    public static List<int>[] Histories(InteractionDataset dataset)
    {
        var histories = new List<int>[dataset.UserCount];
        for (int u = 0; u < histories.Length; u++)
        {
            histories[u] = [];
        }

        ReadOnlySpan<int> users = dataset.UserIndices;
        ReadOnlySpan<int> items = dataset.ItemIndices;
        for (int k = 0; k < dataset.Count; k++)
        {
            histories[users[k]].Add(items[k]);
        }

        return histories;
    }
}
