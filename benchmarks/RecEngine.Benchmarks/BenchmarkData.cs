using RecEngine.Data;
using RecEngine.Data.Loading;
using RecEngine.Data.Synthetic;
using RecEngine.Models.Factorization;

namespace RecEngine.Benchmarks;

/// <summary>Datasets the benchmarks run on.</summary>
internal static class BenchmarkData
{
    /// <summary>
    /// MovieLens 100K from the folder named by <c>RECENGINE_DATA</c> when it is set, else a synthetic dataset of the
    /// same shape (943 users, 1,682 items, 100,000 ratings), so the benchmark runs everywhere.
    /// </summary>
    public static InteractionDataset MovieLens100K()
    {
        string? root = Environment.GetEnvironmentVariable("RECENGINE_DATA");
        string? folder = root is null ? null : Path.Combine(root, "ml-100k");
        if (folder is not null && Directory.Exists(folder))
        {
            return MovieLens.Load100K(folder);
        }

        return SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { UserCount = 943, ItemCount = 1_682, InteractionCount = 100_000 });
    }

    /// <summary>The synthetic MovieLens-1M shape (6,040 users, 3,706 items, 1,000,209 ratings).</summary>
    public static InteractionDataset MovieLens1MShape() => SyntheticDatasetGenerator.Generate(SyntheticDatasetOptions.MovieLens1MShape());

    /// <summary>The synthetic large shape (100,000 users, 20,000 items, 10,000,000 ratings).</summary>
    public static InteractionDataset LargeShape() => SyntheticDatasetGenerator.Generate(SyntheticDatasetOptions.LargeShape());

    /// <summary>
    /// A click by a user drawn in proportion to their activity in <paramref name="data"/> on an item drawn uniformly:
    /// the event stream of the ingest benchmarks.
    /// </summary>
    public static Interaction RandomClick(InteractionDataset data, Random random)
    {
        int row = random.Next(data.Count);
        return new Interaction(data.Users.GetId(data.UserIndices[row]), data.Items.GetId(random.Next(data.ItemCount)), 1f, DateTimeOffset.UnixEpoch, EventKind.Click);
    }

    /// <summary>An engine with live implicit ALS as the ingest benchmarks run it: k = 64, 3 iterations, 2 threads.</summary>
    public static RecommendationEngineOptions LiveAlsEngine(ItemUpdatePolicy itemUpdates, string? dataDirectory = null)
    {
        var options = new RecommendationEngineOptions { DataDirectory = dataDirectory };
        options.Models.Add(EngineModel.ImplicitAls(
            new ImplicitAlsOptions { Factors = 64, Iterations = 3, Values = MatrixValues.One, DegreeOfParallelism = 2 },
            new LiveAlsOptions { ItemUpdates = itemUpdates }));
        return options;
    }
}
