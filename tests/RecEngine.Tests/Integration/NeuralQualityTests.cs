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
/// HR@10 and NDCG@10. Every choice is made on validation, never on the test interactions: two nested leave-last-out
/// splits carved from the training data (each user's latest training interaction, then the one before), each
/// candidate scored by its mean HR@10 over them, ties by the mean NDCG@10, then the earlier candidate.
/// <list type="number">
/// <item>ALS: α and λ from <see cref="ImplicitAlsQualityTests.Grid"/>.</item>
/// <item>The network: the candidates of <see cref="NetworkGrid"/>, fixed in advance. For each, the hybrid of tuned ALS
/// and that network searches its weights on the same splits (<see cref="HybridRecommender.SearchWeights(IReadOnlyList{DatasetSplit}, CancellationToken)"/>);
/// its grid holds all weight on the network (which ranks as the network alone) and all on ALS, so one search scores
/// the network alone as well. The network alone is the candidate best alone; the hybrid the (network, weights) pair
/// best blended; the re-ranker (ALS top 100) uses the network best alone.</item>
/// <item>The configuration: among the network alone, the re-ranker and the hybrid, the best by the same rule.</item>
/// </list>
/// Each configuration is then refitted on all training data and scored once on the test interactions; the chosen one
/// must beat tuned ALS on HR@10 and NDCG@10 and reach HR@10 ≥ 0.60 (MovieLens 100K) and ≥ 0.72 (ml-latest-small),
/// the issue's targets (the implicit library's untuned iALS gives 0.562 and 0.697).
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
    public void ConfigurationChosenOnValidation_BeatsTunedAls_AndReachesTheTarget_MovieLens100K() =>
        AssertNcfQuality(MovieLens.Load100K(DatasetPaths.Require(DatasetPaths.MovieLens100K)), target: 0.60);

    [DatasetFact(DatasetPaths.MovieLensLatestSmall)]
    public void ConfigurationChosenOnValidation_BeatsTunedAls_AndReachesTheTarget_MovieLensLatestSmall() =>
        AssertNcfQuality(MovieLens.LoadLatest(DatasetPaths.Require(DatasetPaths.MovieLensLatestSmall)), target: 0.72);

    /// <summary>
    /// The network's candidates, fixed in advance: the defaults, embeddings initialised from tuned ALS, ten times the
    /// weight decay, half the learning rate. (Eight negatives per positive did no better on validation at three times
    /// the cost, so it is left out to keep the run within the CI budget.)
    /// </summary>
    internal static IReadOnlyList<(string Name, NeuralOptions Options)> NetworkGrid((float Alpha, float Regularization) als) =>
    [
        ("defaults", new NeuralOptions { DegreeOfParallelism = 2 }),
        ("ALS-initialised", new NeuralOptions
        {
            InitializeFromAls = new ImplicitAlsOptions
            {
                Iterations = 15,
                Solver = AlsSolver.ConjugateGradient,
                ConjugateGradientSteps = 3,
                Alpha = als.Alpha,
                Regularization = als.Regularization,
                Values = MatrixValues.One,
            },
            DegreeOfParallelism = 2,
        }),
        ("weight decay 1e-3", new NeuralOptions { WeightDecay = 1e-3, DegreeOfParallelism = 2 }),
        ("learning rate 1e-3", new NeuralOptions { LearningRate = 1e-3, DegreeOfParallelism = 2 }),
    ];

    private void AssertNcfQuality(InteractionDataset data, double target)
    {
        DatasetSplit split = DatasetSplit.LeaveLastOut(data);
        DatasetSplit latest = DatasetSplit.LeaveLastOut(split.Train);
        DatasetSplit[] validations = [latest, DatasetSplit.LeaveLastOut(latest.Train)];

        // 1. ALS.
        SearchResult<(float Alpha, float Regularization)> alsSearch = HyperparameterSearch.Run(
            ImplicitAlsQualityTests.Grid, ImplicitAlsQualityTests.Create, validations, MetricNames.HitRate(10), Sampled);
        (float Alpha, float Regularization) als = alsSearch.Best.Candidate;
        output.WriteLine($"ALS on validation: alpha {als.Alpha}, lambda {als.Regularization}, HR@10 {alsSearch.Best.Score:F4}");

        // 2. The network, alone and blended: one weight search per candidate.
        IReadOnlyList<(string Name, NeuralOptions Options)> grid = NetworkGrid(als);
        Validated? alone = null, blended = null;
        foreach ((string name, NeuralOptions options) in grid)
        {
            var hybrid = new HybridRecommender([(ImplicitAlsQualityTests.Create(als), 0.5), (new NeuralRecommender(options), 0.5)], new HybridOptions { Validation = Sampled });
            (SearchResult<IReadOnlyList<double>> weights, IReadOnlyList<double> ndcgs) = hybrid.SearchWeightsWithNdcg(validations);
            int aloneAt = IndexOf(weights.Trials, t => t.Candidate[0] == 0), bestAt = IndexOf(weights.Trials, t => t == weights.Best);
            SearchTrial<IReadOnlyList<double>> networkAlone = weights.Trials[aloneAt];
            output.WriteLine($"network {name} on validation: alone HR@10 {networkAlone.Score:F4}; blended HR@10 {weights.Best.Score:F4} at weights (ALS, network) ({string.Join(", ", weights.Best.Candidate)});"
                + $" by ALS weight 0 to 1: {string.Join(" ", weights.Trials.Select(t => t.Score.ToString("F4", CultureInfo.InvariantCulture)))}");
            alone = Better(alone, new Validated(name, options, null, networkAlone.Score, ndcgs[aloneAt]));
            blended = Better(blended, new Validated(name, options, weights.Best.Candidate, weights.Best.Score, ndcgs[bestAt]));
        }

        (double HitRate, double Ndcg) rerankScore = Validate(() => Rerank(als, alone!), validations);

        // 3. The configuration, by the same rule.
        (string Name, (double HitRate, double Ndcg) Score)[] configurations =
        [
            ("mlp", (alone!.HitRate, alone.Ndcg)),
            ("mlp-rerank-als", rerankScore),
            ("hybrid", (blended!.HitRate, blended.Ndcg)),
        ];
        string chosen = configurations.Aggregate((a, b) => b.Score.HitRate > a.Score.HitRate || (b.Score.HitRate == a.Score.HitRate && b.Score.Ndcg > a.Score.Ndcg) ? b : a).Name;
        foreach ((string name, (double hitRate, double ndcg)) in configurations)
        {
            output.WriteLine($"{name} on validation: HR@10 {hitRate:F4}, NDCG@10 {ndcg:F4}");
        }

        output.WriteLine($"mlp: network {alone.Name}; hybrid: network {blended.Name}, weights (ALS, network) ({string.Join(", ", blended.Weights!)}); chosen on validation: {chosen}");

        // 4. Refitted on all training data, scored once on the test interactions.
        var test = new Dictionary<string, EvaluationResult>
        {
            ["als"] = Test(ImplicitAlsQualityTests.Create(als), split),
            ["mlp"] = Test(new NeuralRecommender(alone.Options), split),
            ["mlp-rerank-als"] = Test(Rerank(als, alone), split),
            ["hybrid"] = Test(Hybrid(als, blended), split),
        };
        foreach ((string name, EvaluationResult result) in test)
        {
            output.WriteLine($"{name} on test: HR@10 {result[MetricNames.HitRate(10)]:F4}, NDCG@10 {result[MetricNames.Ndcg(10)]:F4}");
        }

        EvaluationResult best = test[chosen], tunedAls = test["als"];
        Assert.True(best[MetricNames.HitRate(10)] >= target, $"{chosen} HR@10 {best[MetricNames.HitRate(10)]:F4} < {target}");
        Assert.True(best[MetricNames.HitRate(10)] > tunedAls[MetricNames.HitRate(10)], $"{chosen} does not beat tuned ALS on HR@10");
        Assert.True(best[MetricNames.Ndcg(10)] > tunedAls[MetricNames.Ndcg(10)], $"{chosen} does not beat tuned ALS on NDCG@10");
    }

    /// <summary>A network candidate with its blend weights (for the hybrid) and mean validation HR@10 and NDCG@10.</summary>
    private sealed record Validated(string Name, NeuralOptions Options, IReadOnlyList<double>? Weights, double HitRate, double Ndcg);

    /// <summary>The better by validation HR@10, ties by NDCG@10, the earlier among equals.</summary>
    private static Validated Better(Validated? kept, Validated next) =>
        kept is null || next.HitRate > kept.HitRate || (next.HitRate == kept.HitRate && next.Ndcg > kept.Ndcg) ? next : kept;

    private static int IndexOf<T>(IReadOnlyList<T> list, Func<T, bool> match)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (match(list[i]))
            {
                return i;
            }
        }

        throw new InvalidOperationException("No element matches.");
    }

    private static HybridRecommender Hybrid((float Alpha, float Regularization) als, Validated network) =>
        new([(ImplicitAlsQualityTests.Create(als), network.Weights![0]), (new NeuralRecommender(network.Options), network.Weights[1])]);

    private static RerankingRecommender Rerank((float Alpha, float Regularization) als, Validated network) =>
        new(ImplicitAlsQualityTests.Create(als), new NeuralRecommender(network.Options), candidateCount: 100);

    /// <summary>Mean HR@10 and NDCG@10 over the validation splits, a fresh model fitted on each one's training data.</summary>
    private static (double HitRate, double Ndcg) Validate(Func<IRecommender> create, DatasetSplit[] validations)
    {
        double hitRate = 0, ndcg = 0;
        foreach (DatasetSplit validation in validations)
        {
            EvaluationResult result = Test(create(), validation);
            hitRate += result[MetricNames.HitRate(10)] / validations.Length;
            ndcg += result[MetricNames.Ndcg(10)] / validations.Length;
        }

        return (hitRate, ndcg);
    }

    private static EvaluationResult Test(IRecommender model, DatasetSplit split)
    {
        model.Fit(split.Train);
        return RankingEvaluator.Evaluate(model, split, Sampled);
    }
}
