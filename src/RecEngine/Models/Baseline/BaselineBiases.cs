using RecEngine.Data;
using RecEngine.Persistence;

namespace RecEngine.Models.Baseline;

/// <summary>
/// The fitted baseline estimate <c>b_ui = μ + b_u + b_i</c> and the range of the training ratings. Fitted by
/// <see cref="Fit"/> (the procedure <see cref="BaselineRatingPredictor"/> documents) and shared by every model that
/// predicts ratings as a baseline plus a correction.
/// </summary>
internal sealed class BaselineBiases
{
    private BaselineBiases(double mean, double[] userBias, double[] itemBias, double min, double max, bool clip)
    {
        GlobalMean = mean;
        UserBias = userBias;
        ItemBias = itemBias;
        MinRating = min;
        MaxRating = max;
        ClipPredictions = clip;
    }

    public double GlobalMean { get; }

    public double[] UserBias { get; }

    public double[] ItemBias { get; }

    public double MinRating { get; }

    public double MaxRating { get; }

    public bool ClipPredictions { get; }

    /// <summary>μ + b_u + b_i, with the bias of an unknown (negative) index taken as 0.</summary>
    public double Estimate(int user, int item) =>
        GlobalMean + (user >= 0 ? UserBias[user] : 0.0) + (item >= 0 ? ItemBias[item] : 0.0);

    /// <summary>The prediction clipped to the training range when clipping is on.</summary>
    public double Clip(double prediction) =>
        ClipPredictions ? Math.Clamp(prediction, MinRating, MaxRating) : prediction;

    /// <summary>Fits the biases to <paramref name="ratings"/> (users by items, values are ratings).</summary>
    public static BaselineBiases Fit(InteractionMatrix ratings, BaselineOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ReadOnlySpan<float> values = ratings.Values;
        double sum = 0.0;
        double min = double.PositiveInfinity;
        double max = double.NegativeInfinity;
        foreach (float r in values)
        {
            sum += r;
            min = Math.Min(min, r);
            max = Math.Max(max, r);
        }

        double mean = values.IsEmpty ? 0.0 : sum / values.Length;
        if (values.IsEmpty)
        {
            (min, max) = (mean, mean);
        }

        double userRegularization = options.UserRegularization;
        double itemRegularization = options.ItemRegularization;
        int iterations = options.Iterations;
        var userBias = new double[ratings.Rows];
        var itemBias = new double[ratings.Columns];
        for (int iteration = 1; iteration <= iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (int i = 0; i < itemBias.Length; i++)
            {
                itemBias[i] = SolveBias(ratings.ColumnRows(i), ratings.ColumnValuesOf(i), mean, userBias, itemRegularization);
            }

            for (int u = 0; u < userBias.Length; u++)
            {
                userBias[u] = SolveBias(ratings.RowColumns(u), ratings.RowValues(u), mean, itemBias, userRegularization);
            }

            progress?.Report(new TrainingProgress("iteration", iteration, iterations, Objective(ratings, mean, userBias, itemBias, userRegularization, itemRegularization)));
        }

        return new BaselineBiases(mean, userBias, itemBias, min, max, options.ClipPredictions);
    }

    /// <summary>
    /// The exact minimiser of <c>Σ_j (r_j − μ − b_other(j) − b)² + λ b²</c> over one bias b:
    /// <c>Σ_j (r_j − μ − b_other(j)) / (λ + n)</c>; 0 without ratings.
    /// </summary>
    private static double SolveBias(ReadOnlySpan<int> others, ReadOnlySpan<float> values, double mean, double[] otherBias, double regularization)
    {
        if (others.IsEmpty)
        {
            return 0.0;
        }

        double deviation = 0.0;
        for (int j = 0; j < others.Length; j++)
        {
            deviation += values[j] - mean - otherBias[others[j]];
        }

        return deviation / (regularization + others.Length);
    }

    /// <summary>Koren's eq. 2 with separate penalties: Σ (r_ui − μ − b_u − b_i)² + λ_u Σ b_u² + λ_i Σ b_i².</summary>
    private static double Objective(InteractionMatrix ratings, double mean, double[] userBias, double[] itemBias, double userRegularization, double itemRegularization)
    {
        double loss = 0.0;
        for (int u = 0; u < userBias.Length; u++)
        {
            ReadOnlySpan<int> items = ratings.RowColumns(u);
            ReadOnlySpan<float> values = ratings.RowValues(u);
            for (int j = 0; j < items.Length; j++)
            {
                double error = values[j] - mean - userBias[u] - itemBias[items[j]];
                loss += error * error;
            }

            loss += userRegularization * userBias[u] * userBias[u];
        }

        foreach (double b in itemBias)
        {
            loss += itemRegularization * b * b;
        }

        return loss;
    }

    /// <summary>Writes the biases into saved state.</summary>
    public void Write(StateWriter writer)
    {
        writer.Write(GlobalMean);
        writer.WriteArray<double>(UserBias);
        writer.WriteArray<double>(ItemBias);
        writer.Write(MinRating);
        writer.Write(MaxRating);
        writer.Write(ClipPredictions);
    }

    /// <summary>Reads biases written by <see cref="Write"/> for <paramref name="users"/> users and <paramref name="items"/> items.</summary>
    public static BaselineBiases Read(StateReader reader, int users, int items)
    {
        double mean = reader.ReadFiniteDouble("global mean");
        double[] userBias = reader.ReadFiniteDoubles(users, "user bias");
        double[] itemBias = reader.ReadFiniteDoubles(items, "item bias");
        double min = reader.ReadFiniteDouble("lowest rating");
        double max = reader.ReadFiniteDouble("highest rating");
        return min <= max
            ? new BaselineBiases(mean, userBias, itemBias, min, max, reader.ReadBoolean())
            : throw reader.Invalid($"has a rating range [{min}, {max}] whose lowest rating is above its highest.");
    }
}
