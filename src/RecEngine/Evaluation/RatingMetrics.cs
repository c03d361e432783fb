namespace RecEngine.Evaluation;

/// <summary>
/// Error metrics of rating predictions against the actual ratings. Pure, allocation-free, O(n); sums are
/// accumulated in double precision.
/// </summary>
/// <remarks>
/// For predictions <c>p_j</c> and actual ratings <c>r_j</c>, <c>j = 1..n</c>:
/// RMSE = sqrt((1/n) Σ_j (p_j − r_j)²) and MAE = (1/n) Σ_j |p_j − r_j|. Both are <see cref="double.NaN"/> for
/// <c>n = 0</c>, where the mean is undefined.
/// </remarks>
public static class RatingMetrics
{
    /// <summary>Root mean squared error: sqrt((1/n) Σ_j (p_j − r_j)²); <see cref="double.NaN"/> when both spans are empty.</summary>
    /// <param name="predicted">The predicted ratings.</param>
    /// <param name="actual">The actual ratings, aligned with <paramref name="predicted"/>.</param>
    /// <exception cref="ArgumentException">The spans have different lengths.</exception>
    public static double Rmse(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        ThrowIfLengthsDiffer(predicted, actual);
        double sum = 0.0;
        for (int j = 0; j < predicted.Length; j++)
        {
            double error = (double)predicted[j] - actual[j];
            sum += error * error;
        }

        return predicted.IsEmpty ? double.NaN : Math.Sqrt(sum / predicted.Length);
    }

    /// <summary>Mean absolute error: (1/n) Σ_j |p_j − r_j|; <see cref="double.NaN"/> when both spans are empty.</summary>
    /// <param name="predicted">The predicted ratings.</param>
    /// <param name="actual">The actual ratings, aligned with <paramref name="predicted"/>.</param>
    /// <exception cref="ArgumentException">The spans have different lengths.</exception>
    public static double Mae(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        ThrowIfLengthsDiffer(predicted, actual);
        double sum = 0.0;
        for (int j = 0; j < predicted.Length; j++)
        {
            sum += Math.Abs((double)predicted[j] - actual[j]);
        }

        return predicted.IsEmpty ? double.NaN : sum / predicted.Length;
    }

    private static void ThrowIfLengthsDiffer(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        if (predicted.Length != actual.Length)
        {
            throw new ArgumentException($"{predicted.Length} predictions were given for {actual.Length} actual ratings.", nameof(actual));
        }
    }
}
