using RecEngine.Data;
using RecEngine.Data.Loading;
using RecEngine.Evaluation;
using RecEngine.Models.Factorization;
using RecEngine.Models.Neighborhood;
using RecEngine.Models.Popularity;
using RecEngine.Tests.TestUtilities;
using Xunit.Abstractions;

namespace RecEngine.Tests.Integration;

/// <summary>
/// Real-time updating against a static model, prequentially: implicit ALS (k = 64, 15 iterations, α = 4, λ = 5, every
/// rating a positive of value 1) is fitted on the first half of the data by time; the second half is replayed event
/// by event (top-10 first, then the event). The live model folds each event into its user; the static one does not.
/// The requirement: live HR@10 at least 30 % above static on MovieLens 100K and ml-latest-small. Popularity is
/// reported frozen and live.
/// </summary>
[Trait("Category", "Dataset")]
public sealed class RealTimeQualityTests(ITestOutputHelper output)
{
    [DatasetFact(DatasetPaths.MovieLens100K)]
    public void LiveAls_MovieLens100K_BeatsTheStaticModelByThirtyPercent() =>
        AssertLiveBeatsStatic(MovieLens.Load100K(DatasetPaths.Require(DatasetPaths.MovieLens100K)));

    [DatasetFact(DatasetPaths.MovieLensLatestSmall)]
    public void LiveAls_MovieLensLatestSmall_BeatsTheStaticModelByThirtyPercent() =>
        AssertLiveBeatsStatic(MovieLens.LoadLatest(DatasetPaths.Require(DatasetPaths.MovieLensLatestSmall)));

    [DatasetFact(DatasetPaths.MovieLens100K)]
    public void LiveItemKnn_MovieLens100K_BeatsTheStaticModelByThirtyPercent()
    {
        var split = DatasetSplit.TemporalByFraction(MovieLens.Load100K(DatasetPaths.Require(DatasetPaths.MovieLens100K)), 0.5);
        var options = new NeighborhoodOptions { Neighbors = 20 };
        var itemKnn = new ItemKnnRecommender(options);
        itemKnn.Fit(split.Train);
        var live = new LiveNeighborhood(split.Train, itemBased: true, options);
        IReadOnlyList<PrequentialModelResult> results = PrequentialEvaluator.Run(
            split.Test, [new("item-knn-static", itemKnn, null), new("item-knn", live.Recommender, live)]);
        foreach (PrequentialModelResult result in results)
        {
            output.WriteLine($"{result.Name}: HR@10 {result.HitRate:F4}, NDCG@10 {result.Ndcg:F4} over {split.Test.Count} events");
        }

        Assert.True(results[1].HitRate >= 1.3 * results[0].HitRate, $"live {results[1].HitRate:F4} vs static {results[0].HitRate:F4}");
    }

    private void AssertLiveBeatsStatic(InteractionDataset data)
    {
        var split = DatasetSplit.TemporalByFraction(data, 0.5);
        var als = new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 64, Iterations = 15, Alpha = 4, Regularization = 5, Values = MatrixValues.One, DegreeOfParallelism = 2 });
        als.Fit(split.Train);
        var popularity = new PopularityRecommender();
        popularity.Fit(split.Train);
        var live = new LiveImplicitAls(als);
        var livePopularity = new LivePopularity(split.Train);

        IReadOnlyList<PrequentialModelResult> results = PrequentialEvaluator.Run(
            split.Test,
            [new("popularity-static", popularity, null), new("als-static", als, null), new("als", live.Recommender, live), new("popularity", livePopularity.Recommender, livePopularity)]);
        foreach (PrequentialModelResult result in results)
        {
            output.WriteLine($"{result.Name}: HR@10 {result.HitRate:F4}, NDCG@10 {result.Ndcg:F4} over {split.Test.Count} events");
        }

        Assert.True(results[2].HitRate >= 1.3 * results[1].HitRate, $"live {results[2].HitRate:F4} vs static {results[1].HitRate:F4}");
    }
}
