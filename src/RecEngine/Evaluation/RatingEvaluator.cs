using System.Diagnostics;
using RecEngine.Data;

namespace RecEngine.Evaluation;

/// <summary>
/// Evaluates rating predictions of any <see cref="IRatingPredictor"/> on a <see cref="DatasetSplit"/>: RMSE and MAE
/// (see <see cref="RatingMetrics"/>) over every test interaction, comparing the prediction for (user, item) with
/// the interaction's value. Fit the predictor on <see cref="DatasetSplit.Train"/> first.
/// </summary>
/// <remarks>
/// Every test interaction counts once, including those of users or items the predictor does not know, which get
/// its fallback (as Surprise's <c>accuracy.rmse</c> over <c>algo.test(testset)</c> does). With no test
/// interactions both metrics are <see cref="double.NaN"/>. Sequential; O(test interactions) predictions.
/// </remarks>
public static class RatingEvaluator
{
    /// <summary>Evaluates <paramref name="predictor"/>, already fitted on <c>split.Train</c>, on <c>split.Test</c>.</summary>
    /// <param name="predictor">The fitted rating predictor.</param>
    /// <param name="split">The split the predictor was fitted on.</param>
    /// <param name="cancellationToken">Cancels the evaluation.</param>
    /// <returns>"RMSE" and "MAE" (see <see cref="MetricNames"/>), with the number of distinct test users and of test interactions.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="predictor"/> or <paramref name="split"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The predictor is not fitted.</exception>
    /// <exception cref="OperationCanceledException">The evaluation was cancelled.</exception>
    public static EvaluationResult Evaluate(IRatingPredictor predictor, DatasetSplit split, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(split);
        long start = Stopwatch.GetTimestamp();
        InteractionDataset test = split.Test;
        ReadOnlySpan<int> users = test.UserIndices;
        ReadOnlySpan<int> items = test.ItemIndices;
        var predicted = new float[test.Count];
        for (int row = 0; row < predicted.Length; row++)
        {
            if ((row & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            predicted[row] = predictor.PredictRating(test.Users.GetId(users[row]), test.Items.GetId(items[row]));
        }

        KeyValuePair<string, double>[] metrics =
        [
            new(MetricNames.Rmse, RatingMetrics.Rmse(predicted, test.Values)),
            new(MetricNames.Mae, RatingMetrics.Mae(predicted, test.Values)),
        ];
        return new EvaluationResult(metrics, test.CountActiveUsers(), test.Count, Stopwatch.GetElapsedTime(start));
    }
}
