using System.Collections.ObjectModel;
using System.Diagnostics;
using RecEngine.Data;

namespace RecEngine.Evaluation;

/// <summary>
/// K-fold cross-validation: splits the data with <see cref="DatasetSplit.KFold"/>, fits a fresh model per fold and
/// evaluates it on the held-out fold.
/// </summary>
/// <remarks>
/// Each fold's result holds the ranking metrics of <see cref="RankingEvaluator"/> and, when the model also
/// implements <see cref="IRatingPredictor"/>, RMSE and MAE from <see cref="RatingEvaluator"/>. Folds run one after
/// another (each evaluation is itself parallel over users); results are deterministic for a seed when the model's
/// training is.
/// </remarks>
public static class CrossValidation
{
    /// <summary>Runs k-fold cross-validation of the models made by <paramref name="createModel"/>.</summary>
    /// <param name="dataset">All interactions.</param>
    /// <param name="createModel">Makes a new, unfitted model; called once per fold.</param>
    /// <param name="k">Number of folds, in [2, n].</param>
    /// <param name="seed">Seed of the fold assignment.</param>
    /// <param name="options">Ranking evaluation options; <see langword="null"/> for the defaults (k = 10, full protocol).</param>
    /// <param name="cancellationToken">Cancels fitting and evaluation.</param>
    /// <returns>Per-fold results and per-metric means over folds.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> or <paramref name="createModel"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is out of range or the options are invalid.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="createModel"/> returned null.</exception>
    /// <exception cref="OperationCanceledException">The run was cancelled.</exception>
    public static CrossValidationResult Run(
        InteractionDataset dataset, Func<IRecommender> createModel, int k, int seed,
        RankingEvaluationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(createModel);
        options ??= new RankingEvaluationOptions();
        options.Validate();
        long start = Stopwatch.GetTimestamp();
        IReadOnlyList<DatasetSplit> splits = DatasetSplit.KFold(dataset, k, seed);
        var folds = new EvaluationResult[splits.Count];
        TimeSpan fitTime = TimeSpan.Zero;
        for (int fold = 0; fold < folds.Length; fold++)
        {
            DatasetSplit split = splits[fold];
            IRecommender model = createModel() ?? throw new InvalidOperationException("The model factory returned null.");
            long fitStart = Stopwatch.GetTimestamp();
            model.Fit(split.Train, progress: null, cancellationToken);
            fitTime += Stopwatch.GetElapsedTime(fitStart);
            EvaluationResult result = RankingEvaluator.Evaluate(model, split, options, cancellationToken);
            if (model is IRatingPredictor predictor)
            {
                result = result.Append(RatingEvaluator.Evaluate(predictor, split, cancellationToken));
            }

            folds[fold] = result;
        }

        return new CrossValidationResult(folds, MeanOverFolds(folds), Stopwatch.GetElapsedTime(start), fitTime);
    }

    private static ReadOnlyDictionary<string, double> MeanOverFolds(EvaluationResult[] folds)
    {
        var mean = new OrderedDictionary<string, double>(StringComparer.Ordinal);
        foreach (string name in folds[0].Metrics.Keys)
        {
            double sum = 0.0;
            bool everywhere = true;
            foreach (EvaluationResult fold in folds)
            {
                everywhere &= fold.Metrics.TryGetValue(name, out double value);
                sum += value;
            }

            if (everywhere)
            {
                mean.Add(name, sum / folds.Length);
            }
        }

        return new ReadOnlyDictionary<string, double>(mean);
    }
}
