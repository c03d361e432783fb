using RecEngine.Data;
using RecEngine.Data.Loading;
using RecEngine.Data.Synthetic;

namespace RecEngine.Benchmarks.Evaluation;

/// <summary>The datasets the runner knows.</summary>
internal static class DatasetCatalog
{
    public static InteractionDataset Load(EvaluateArguments args)
    {
        switch (args.Dataset)
        {
            case "synthetic":
            {
                var options = new SyntheticDatasetOptions { Seed = args.Seed };
                options.UserCount = args.Int("users", options.UserCount);
                options.ItemCount = args.Int("items", options.ItemCount);
                options.InteractionCount = args.Int("interactions", options.InteractionCount);
                return SyntheticDatasetGenerator.Generate(options);
            }

            case "ml-100k":
                return MovieLens.Load100K(Folder(args, "ml-100k"));
            case "ml-latest-small":
                return MovieLens.LoadLatest(Folder(args, "ml-latest-small"));
            case "ml-1m":
                return MovieLens.Load1M(Folder(args, "ml-1m"));
            case "ml-10m":
                return MovieLens.Load10M(Folder(args, "ml-10m"));
            default:
                throw new ArgumentException($"Unknown dataset '{args.Dataset}'. Known datasets: synthetic, ml-100k, ml-latest-small, ml-1m, ml-10m.");
        }
    }

    /// <summary>The dataset's folder: --data itself if it holds the files, else its subfolder of the dataset's name.</summary>
    private static string Folder(EvaluateArguments args, string name)
    {
        string root = args.DataFolder ?? throw new ArgumentException($"Dataset '{name}' needs --data <folder> (or RECENGINE_DATA).");
        string nested = Path.Combine(root, name);
        return Directory.Exists(nested) ? nested : root;
    }
}
