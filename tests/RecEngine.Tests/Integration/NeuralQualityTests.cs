using RecEngine.Data;
using RecEngine.Data.Loading;
using RecEngine.Evaluation;
using RecEngine.Models.Neural;
using RecEngine.Tests.TestUtilities;
using Xunit.Abstractions;

namespace RecEngine.Tests.Integration;

/// <summary>The neural scorer on MovieLens 100K: its training loss falls epoch after epoch on real data.</summary>
[Trait("Category", "Dataset")]
public sealed class NeuralQualityTests(ITestOutputHelper output)
{
    [DatasetFact(DatasetPaths.MovieLens100K)]
    public void TrainingLoss_Decreases_OnMovieLens100K()
    {
        InteractionDataset data = MovieLens.Load100K(DatasetPaths.Require(DatasetPaths.MovieLens100K));
        DatasetSplit split = DatasetSplit.LeaveLastOut(data);
        var progress = new SynchronousProgress<TrainingProgress>();
        new NeuralRecommender(new NeuralOptions { Epochs = 6, Patience = 6, DegreeOfParallelism = 2 }).Fit(split.Train, progress);

        double[] losses = [.. progress.Reports.Where(r => r.Stage == "epoch").Select(r => r.Loss)];
        output.WriteLine($"training loss by epoch: {string.Join(", ", losses.Select(l => l.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.Equal(6, losses.Length);
        for (int e = 1; e < losses.Length; e++)
        {
            Assert.True(losses[e] < losses[e - 1], $"epoch {e + 1}: {losses[e]} is not below {losses[e - 1]}");
        }

        // With four sampled negatives per positive, a model that knows only the share of positives (one in five)
        // has a loss of −0.2 ln 0.2 − 0.8 ln 0.8 = 0.500; the trained one is well below it.
        Assert.True(losses[^1] < 0.35, $"final training loss {losses[^1]}");
    }
}
