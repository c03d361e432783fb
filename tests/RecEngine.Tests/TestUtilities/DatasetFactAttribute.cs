namespace RecEngine.Tests.TestUtilities;

/// <summary>
/// A fact that needs the real datasets: skipped, with the reason, when <c>RECENGINE_DATA</c> is not set or does
/// not hold the named dataset folder. Classes using it carry <c>[Trait("Category", "Dataset")]</c> so CI can run
/// them on their own.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DatasetFactAttribute : FactAttribute
{
    public DatasetFactAttribute(string dataset)
    {
        if (DatasetPaths.Find(dataset) is null)
        {
            Skip = DatasetPaths.SkipReason(dataset);
        }
    }
}

/// <summary>Locates the real datasets through the <c>RECENGINE_DATA</c> environment variable.</summary>
public static class DatasetPaths
{
    public const string Variable = "RECENGINE_DATA";
    public const string MovieLens100K = "ml-100k";
    public const string MovieLensLatestSmall = "ml-latest-small";

    /// <summary>The folder of <paramref name="dataset"/> under <c>RECENGINE_DATA</c>, or null when it is not there.</summary>
    public static string? Find(string dataset)
    {
        string? root = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(root))
        {
            return null;
        }

        string folder = Path.Combine(root, dataset);
        return Directory.Exists(folder) ? Path.GetFullPath(folder) : null;
    }

    /// <summary>The folder of <paramref name="dataset"/>; fails the test when it is missing.</summary>
    public static string Require(string dataset) =>
        Find(dataset) ?? throw new InvalidOperationException(SkipReason(dataset));

    public static string SkipReason(string dataset) =>
        $"Needs the {dataset} dataset: set {Variable} to the folder that holds '{dataset}/' (CI sets it).";
}
