using System.Collections.ObjectModel;
using System.Globalization;
using System.Text;

namespace RecEngine.Evaluation;

/// <summary>
/// The figures of one evaluation: metric values by canonical name (see <see cref="MetricNames"/>), how many users
/// and test interactions they cover, and how long the evaluation took. Immutable.
/// </summary>
public sealed class EvaluationResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="metrics">Metric values by name, in the order they should be listed.</param>
    /// <param name="userCount">Number of users evaluated.</param>
    /// <param name="interactionCount">Number of test interactions behind the figures.</param>
    /// <param name="elapsed">Wall-clock time of the evaluation.</param>
    /// <exception cref="ArgumentNullException"><paramref name="metrics"/> is null.</exception>
    /// <exception cref="ArgumentException">A metric name is null, empty or repeated.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public EvaluationResult(IEnumerable<KeyValuePair<string, double>> metrics, int userCount, int interactionCount, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentOutOfRangeException.ThrowIfNegative(userCount);
        ArgumentOutOfRangeException.ThrowIfNegative(interactionCount);
        var ordered = new OrderedDictionary<string, double>(StringComparer.Ordinal);
        foreach ((string name, double value) in metrics)
        {
            ArgumentException.ThrowIfNullOrEmpty(name, nameof(metrics));
            if (!ordered.TryAdd(name, value))
            {
                throw new ArgumentException($"The metric '{name}' is given twice.", nameof(metrics));
            }
        }

        Metrics = new ReadOnlyDictionary<string, double>(ordered);
        UserCount = userCount;
        InteractionCount = interactionCount;
        Elapsed = elapsed;
    }

    /// <summary>Metric values by canonical name, in a fixed order (ranking metrics first, then rating metrics).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; }

    /// <summary>Number of users evaluated.</summary>
    public int UserCount { get; }

    /// <summary>Number of test interactions behind the figures.</summary>
    public int InteractionCount { get; }

    /// <summary>Wall-clock time of the evaluation (not of fitting).</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>The value of the metric named <paramref name="name"/>, for example <c>result["NDCG@10"]</c>.</summary>
    /// <exception cref="KeyNotFoundException">The result has no such metric.</exception>
    public double this[string name] =>
        Metrics.TryGetValue(name, out double value) ? value : throw new KeyNotFoundException($"The result has no metric named '{name}'.");

    /// <summary>The metrics as <c>name=value</c> pairs followed by the user count, for logs.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach ((string name, double value) in Metrics)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}={value:F4} ");
        }

        return text.Append(CultureInfo.InvariantCulture, $"(users={UserCount}, interactions={InteractionCount})").ToString();
    }

    /// <summary>A result with the metrics of this one followed by those of <paramref name="other"/> (same users, summed time).</summary>
    internal EvaluationResult Append(EvaluationResult other) =>
        new(Metrics.Concat(other.Metrics), Math.Max(UserCount, other.UserCount), Math.Max(InteractionCount, other.InteractionCount), Elapsed + other.Elapsed);
}
