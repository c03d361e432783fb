using System.Globalization;
using RecEngine.Data;
using RecEngine.Data.Loading;
using RecEngine.Evaluation;
using RecEngine.Models.Factorization;
using RecEngine.Models.Hybrid;
using RecEngine.Models.Neural;
using RecEngine.Tests.TestUtilities;
using Xunit.Abstractions;

namespace RecEngine.Tests.Integration;

/// <summary>
/// The neural scorer on real data. Quality is measured with the NCF protocol: per user the latest interaction
/// (leave-last-out) is ranked among 99 negatives sampled uniformly (seeded) from the items the user never touched;
/// HR@10 and NDCG@10. ALS is tuned honestly: its α and λ are chosen on a second leave-last-out split carved from the
/// training data (each user's latest training interaction) under the same protocol, then refitted on all training
/// data. The network keeps its default options (chosen before any of these runs). The hybrid of tuned ALS and the
/// network learns its weights on the same validation split inside its fit. Targets of the issue: the best
/// configuration beats tuned ALS on both metrics and reaches HR@10 ≥ 0.60 (MovieLens 100K) and ≥ 0.72
/// (ml-latest-small); the implicit library's untuned iALS gives 0.562 and 0.697.
/// </summary>
[Trait("Category", "Dataset")]
public sealed class NeuralQualityTests(ITestOutputHelper output)
{
    private static readonly RankingEvaluationOptions Sampled = new() { Protocol = EvaluationProtocol.Sampled, NegativeSampleCount = 99, Seed = 0 };

    [DatasetFact(DatasetPaths.MovieLens100K)]
    public void TrainingLoss_Decreases_OnMovieLens100K()
    {
        InteractionDataset data = MovieLens.Load100K(DatasetPaths.Require(DatasetPaths.MovieLens100K));
        DatasetSplit split = DatasetSplit.LeaveLastOut(data);
        var progress = new SynchronousProgress<TrainingProgress>();
        new NeuralRecommender(new NeuralOptions { Epochs = 6, Patience = 6, DegreeOfParallelism = 2 }).Fit(split.Train, progress);

        double[] losses = [.. progress.Reports.Where(r => r.Stage == "epoch").Select(r => r.Loss)];
        output.WriteLine($"training loss by epoch: {string.Join(", ", losses.Select(l => l.ToString("F4", CultureInfo.InvariantCulture)))}");
        Assert.Equal(6, losses.Length);
        for (int e = 1; e < losses.Length; e++)
        {
            Assert.True(losses[e] < losses[e - 1], $"epoch {e + 1}: {losses[e]} is not below {losses[e - 1]}");
        }

        // With four sampled negatives per positive, a model that knows only the share of positives (one in five)
        // has a loss of −0.2 ln 0.2 − 0.8 ln 0.8 = 0.500; the trained one is well below it.
        Assert.True(losses[^1] < 0.35, $"final training loss {losses[^1]}");
    }

    [DatasetFact(DatasetPaths.MovieLens100K)]
    public void Hybrid_BeatsTunedAls_AndReachesTheTarget_MovieLens100K() =>
        AssertNcfQuality(MovieLens.Load100K(DatasetPaths.Require(DatasetPaths.MovieLens100K)), target: 0.60);

    [DatasetFact(DatasetPaths.MovieLensLatestSmall)]
    public void Hybrid_BeatsTunedAls_AndReachesTheTarget_MovieLensLatestSmall() =>
        AssertNcfQuality(MovieLens.LoadLatest(DatasetPaths.Require(DatasetPaths.MovieLensLatestSmall)), target: 0.72);

    private void AssertNcfQuality(InteractionDataset data, double target)
    {
        DatasetSplit split = DatasetSplit.LeaveLastOut(data);
        DatasetSplit validation = DatasetSplit.LeaveLastOut(split.Train);
        SearchResult<(float Alpha, float Regularization)> search = HyperparameterSearch.Run(
            ImplicitAlsQualityTests.Grid, ImplicitAlsQualityTests.Create, validation, MetricNames.HitRate(10), Sampled);
        (float Alpha, float Regularization) tuned = search.Best.Candidate;

        var results = new Dictionary<string, EvaluationResult>
        {
            ["als (tuned)"] = Evaluate(ImplicitAlsQualityTests.Create(tuned), split),
            ["mlp"] = Evaluate(Mlp(), split),
            ["mlp-rerank-als"] = Evaluate(new RerankingRecommender(ImplicitAlsQualityTests.Create(tuned), Mlp(), candidateCount: 100), split),
            ["hybrid"] = Evaluate(
                new HybridRecommender(
                    [(ImplicitAlsQualityTests.Create(tuned), 0.5), (Mlp(), 0.5)],
                    new HybridOptions { LearnWeights = true, Validation = Sampled }),
                split),
        };

        output.WriteLine($"ALS tuned on validation: alpha {tuned.Alpha}, lambda {tuned.Regularization} (validation HR@10 {search.Best.Score:F4})");
        foreach ((string name, EvaluationResult result) in results)
        {
            output.WriteLine($"{name}: HR@10 {result[MetricNames.HitRate(10)]:F4}, NDCG@10 {result[MetricNames.Ndcg(10)]:F4}");
        }

        EvaluationResult als = results["als (tuned)"], hybrid = results["hybrid"];
        Assert.True(hybrid[MetricNames.HitRate(10)] >= target, $"hybrid HR@10 {hybrid[MetricNames.HitRate(10)]:F4} < {target}");
        Assert.True(hybrid[MetricNames.HitRate(10)] > als[MetricNames.HitRate(10)], "the hybrid does not beat tuned ALS on HR@10");
        Assert.True(hybrid[MetricNames.Ndcg(10)] > als[MetricNames.Ndcg(10)], "the hybrid does not beat tuned ALS on NDCG@10");
    }

    private static NeuralRecommender Mlp() => new(new NeuralOptions { DegreeOfParallelism = 2 });

    private static EvaluationResult Evaluate(IRecommender model, DatasetSplit split)
    {
        model.Fit(split.Train);
        return RankingEvaluator.Evaluate(model, split, Sampled);
    }
}
