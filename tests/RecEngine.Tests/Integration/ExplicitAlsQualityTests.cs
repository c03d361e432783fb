using RecEngine.Data;
using RecEngine.Data.Loading;
using RecEngine.Evaluation;
using RecEngine.Models.Factorization;
using RecEngine.Tests.TestUtilities;
using Xunit.Abstractions;

namespace RecEngine.Tests.Integration;

/// <summary>
/// Explicit ALS rating prediction on real data, 5-fold cross-validation (the evaluation runner's <c>kfold</c>
/// protocol, seed 42). λ and the number of factors are chosen on a validation split carved from the first fold's
/// training data (15 % at random, seed 7), never on a test fold. Threshold on MovieLens 100K: RMSE 0.915
/// (Surprise's SVD reaches 0.934, SVD++ 0.920); ml-latest-small is reported and checked against the popular
/// libraries' order of magnitude.
/// </summary>
[Trait("Category", "Dataset")]
public sealed class ExplicitAlsQualityTests(ITestOutputHelper output)
{
    private static readonly (int Factors, float Regularization)[] Grid =
        [.. from factors in new[] { 64, 128 } from lambda in new[] { 0.05f, 0.1f, 0.13f, 0.2f } select (factors, lambda)];

    private static ExplicitAlsRecommender Create((int Factors, float Regularization) c) => new(new ExplicitAlsOptions
    {
        Factors = c.Factors,
        Regularization = c.Regularization,
        BiasRegularization = 0.07f,
        Iterations = 10,
        DegreeOfParallelism = 2,
    });

    [DatasetFact(DatasetPaths.MovieLens100K)]
    public void FiveFoldRmse_MovieLens100K_BeatsSvdPlusPlus() =>
        AssertCrossValidatedRmse(MovieLens.Load100K(DatasetPaths.Require(DatasetPaths.MovieLens100K)), maximumRmse: 0.915);

    [DatasetFact(DatasetPaths.MovieLensLatestSmall)]
    public void FiveFoldRmse_MovieLensLatestSmall_IsReported() =>
        AssertCrossValidatedRmse(MovieLens.LoadLatest(DatasetPaths.Require(DatasetPaths.MovieLensLatestSmall)), maximumRmse: 0.87);

    private void AssertCrossValidatedRmse(InteractionDataset data, double maximumRmse)
    {
        IReadOnlyList<DatasetSplit> folds = DatasetSplit.KFold(data, 5, seed: 42);
        var validation = DatasetSplit.RandomHoldout(folds[0].Train, 0.15, seed: 7);
        SearchResult<(int Factors, float Regularization)> search = HyperparameterSearch.Run(Grid, Create, validation, MetricNames.Rmse);

        var rmse = new List<double>();
        foreach (DatasetSplit fold in folds)
        {
            ExplicitAlsRecommender model = Create(search.Best.Candidate);
            model.Fit(fold.Train);
            rmse.Add(RatingEvaluator.Evaluate(model, fold)[MetricNames.Rmse]);
        }

        double mean = rmse.Average();
        output.WriteLine($"chosen {search.Best.Candidate} (validation RMSE {search.Best.Score:F4}); folds {string.Join(" ", rmse.Select(r => r.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))}; mean {mean:F4}");
        Assert.True(mean <= maximumRmse, $"5-fold RMSE {mean:F4} > {maximumRmse}");
    }
}
