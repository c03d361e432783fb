using RecEngine.Data;

namespace RecEngine.Tests.Evaluation;

/// <summary>Small datasets for evaluation tests.</summary>
internal static class EvaluationData
{
    /// <summary>A dataset with the given rows, in order; ids get indices in order of first appearance.</summary>
    public static InteractionDataset Build(params (string User, string Item, float Value, long Time)[] rows)
    {
        var builder = new InteractionDatasetBuilder();
        foreach ((string user, string item, float value, long time) in rows)
        {
            builder.Add(user, item, value, time);
        }

        return builder.Build();
    }

    /// <summary>
    /// A dataset decoded from arbitrary integers (for properties): 6 users, 9 items, 4 timestamps, so duplicates and
    /// ties are common. Each row's value is its row number, which identifies the row in any subset.
    /// </summary>
    public static InteractionDataset FromCodes(int[] codes)
    {
        var builder = new InteractionDatasetBuilder();
        for (int row = 0; row < codes.Length; row++)
        {
            int code = codes[row] & int.MaxValue;
            builder.Add($"u{code % 6}", $"{code / 6 % 9}", row, code / 54 % 4);
        }

        return builder.Build();
    }

    /// <summary>Ratings with user and item biases plus noise, on the 1..5 scale (seeded).</summary>
    public static InteractionDataset SyntheticRatings(int users, int items, double density, int seed)
    {
        var random = new Random(seed);
        var userBias = Enumerable.Range(0, users).Select(_ => (random.NextDouble() * 2.0) - 1.0).ToArray();
        var itemBias = Enumerable.Range(0, items).Select(_ => (random.NextDouble() * 2.4) - 1.2).ToArray();
        var builder = new InteractionDatasetBuilder();
        long time = 0;
        for (int u = 0; u < users; u++)
        {
            for (int i = 0; i < items; i++)
            {
                if (random.NextDouble() < density)
                {
                    double noise = (random.NextDouble() - 0.5) * 1.5;
                    float rating = (float)Math.Clamp(Math.Round(3.4 + userBias[u] + itemBias[i] + noise), 1.0, 5.0);
                    builder.Add($"user{u}", $"item{i}", rating, time++);
                }
            }
        }

        return builder.Build();
    }

    /// <summary>The values (row numbers, for <see cref="FromCodes"/> data) of a dataset, sorted.</summary>
    public static float[] SortedValues(InteractionDataset dataset)
    {
        float[] values = dataset.Values.ToArray();
        Array.Sort(values);
        return values;
    }

    /// <summary>The rows of a dataset as (user id, item id, value, timestamp) tuples, in order.</summary>
    public static (string User, string Item, float Value, long Time)[] Rows(InteractionDataset dataset) =>
        Enumerable.Range(0, dataset.Count)
            .Select(row => (dataset.Users.GetId(dataset.UserIndices[row]), dataset.Items.GetId(dataset.ItemIndices[row]), dataset.Values[row], dataset.Timestamps[row]))
            .ToArray();
}
