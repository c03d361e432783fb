using System.Globalization;

namespace RecEngine.Evaluation;

/// <summary>
/// The canonical metric names used as keys of <see cref="EvaluationResult.Metrics"/>: <c>"HR@10"</c>,
/// <c>"NDCG@10"</c>, <c>"Precision@10"</c>, <c>"Recall@10"</c>, <c>"MAP@10"</c>, <c>"MRR@10"</c>,
/// <c>"Coverage@10"</c> for a cut-off of 10, and <c>"RMSE"</c>, <c>"MAE"</c>.
/// </summary>
/// <remarks>The definitions are those of <see cref="RankingMetrics"/> and <see cref="RatingMetrics"/>.</remarks>
public static class MetricNames
{
    /// <summary>Root mean squared error of rating predictions.</summary>
    public const string Rmse = "RMSE";

    /// <summary>Mean absolute error of rating predictions.</summary>
    public const string Mae = "MAE";

    /// <summary>Hit rate at <paramref name="k"/>, for example <c>"HR@10"</c>.</summary>
    public static string HitRate(int k) => AtK("HR", k);

    /// <summary>Normalised discounted cumulative gain at <paramref name="k"/>, for example <c>"NDCG@10"</c>.</summary>
    public static string Ndcg(int k) => AtK("NDCG", k);

    /// <summary>Precision at <paramref name="k"/>, for example <c>"Precision@10"</c>.</summary>
    public static string Precision(int k) => AtK("Precision", k);

    /// <summary>Recall at <paramref name="k"/>, for example <c>"Recall@10"</c>.</summary>
    public static string Recall(int k) => AtK("Recall", k);

    /// <summary>Mean average precision at <paramref name="k"/>, for example <c>"MAP@10"</c>.</summary>
    public static string MeanAveragePrecision(int k) => AtK("MAP", k);

    /// <summary>Mean reciprocal rank within the top <paramref name="k"/>, for example <c>"MRR@10"</c>.</summary>
    public static string MeanReciprocalRank(int k) => AtK("MRR", k);

    /// <summary>Catalog coverage of the top-<paramref name="k"/> lists, for example <c>"Coverage@10"</c>.</summary>
    public static string Coverage(int k) => AtK("Coverage", k);

    private static string AtK(string metric, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        return string.Create(CultureInfo.InvariantCulture, $"{metric}@{k}");
    }
}
