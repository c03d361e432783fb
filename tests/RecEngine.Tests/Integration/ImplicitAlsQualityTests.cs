using RecEngine.Data;
using RecEngine.Data.Loading;
using RecEngine.Evaluation;
using RecEngine.Models.Factorization;
using RecEngine.Tests.TestUtilities;
using Xunit.Abstractions;

namespace RecEngine.Tests.Integration;

/// <summary>
/// Implicit ALS on real data under the leave-last-out protocol (every rating a positive interaction of value 1,
/// full ranking over every item the user has not seen in training), k = 64, 15 iterations, CG with 3 steps.
/// Regularisation and α are chosen honestly: a grid search on a second leave-last-out split carved from the
/// training data (each user's latest training interaction), by HR@10; the chosen model is then refitted on the
/// whole training data and scored once on the test interactions. Thresholds: the best figures of the implicit
/// library on exactly this protocol (0.089 and 0.072); popularity gives 0.050 and 0.043.
/// </summary>
[Trait("Category", "Dataset")]
public sealed class ImplicitAlsQualityTests(ITestOutputHelper output)
{
    /// <summary>The grid: α and λ on logarithmic steps, fixed before looking at any result.</summary>
    internal static readonly (float Alpha, float Regularization)[] Grid =
        [.. from alpha in new[] { 1f, 2f, 4f, 8f, 16f, 32f } from lambda in new[] { 0.05f, 1f, 5f, 20f } select (alpha, lambda)];

    internal static ImplicitAlsRecommender Create((float Alpha, float Regularization) c) => new(new ImplicitAlsOptions
    {
        Factors = 64,
        Iterations = 15,
        Solver = AlsSolver.ConjugateGradient,
        ConjugateGradientSteps = 3,
        Alpha = c.Alpha,
        Regularization = c.Regularization,
        Values = MatrixValues.One,
        DegreeOfParallelism = 2,
    });

    [DatasetFact(DatasetPaths.MovieLens100K)]
    public void TunedOnValidation_MovieLens100K_ReachesTheImplicitLibrarysBest() =>
        AssertTunedQuality(MovieLens.Load100K(DatasetPaths.Require(DatasetPaths.MovieLens100K)), minimumHitRate: 0.089);

    [DatasetFact(DatasetPaths.MovieLensLatestSmall)]
    public void TunedOnValidation_MovieLensLatestSmall_ReachesTheImplicitLibrarysBest() =>
        AssertTunedQuality(MovieLens.LoadLatest(DatasetPaths.Require(DatasetPaths.MovieLensLatestSmall)), minimumHitRate: 0.072);

    private void AssertTunedQuality(InteractionDataset data, double minimumHitRate)
    {
        var split = DatasetSplit.LeaveLastOut(data);
        var validation = DatasetSplit.LeaveLastOut(split.Train);
        SearchResult<(float Alpha, float Regularization)> search = HyperparameterSearch.Run(Grid, Create, validation, MetricNames.HitRate(10));

        ImplicitAlsRecommender model = Create(search.Best.Candidate);
        model.Fit(split.Train);
        EvaluationResult result = RankingEvaluator.Evaluate(model, split);
        output.WriteLine($"chosen alpha {search.Best.Candidate.Alpha}, lambda {search.Best.Candidate.Regularization} (validation HR@10 {search.Best.Score:F4}); test {result}");
        Assert.True(result[MetricNames.HitRate(10)] >= minimumHitRate, $"HR@10 {result[MetricNames.HitRate(10)]:F4} < {minimumHitRate}");
    }
}
