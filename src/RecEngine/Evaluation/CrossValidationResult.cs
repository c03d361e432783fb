namespace RecEngine.Evaluation;

/// <summary>The outcome of <see cref="CrossValidation.Run"/>: one result per fold and the mean of each metric over folds. Immutable.</summary>
public sealed class CrossValidationResult
{
    internal CrossValidationResult(IReadOnlyList<EvaluationResult> folds, IReadOnlyDictionary<string, double> mean, TimeSpan elapsed, TimeSpan fitTime)
    {
        Folds = folds;
        Mean = mean;
        Elapsed = elapsed;
        FitTime = fitTime;
    }

    /// <summary>The evaluation of each fold, fold 0 first.</summary>
    public IReadOnlyList<EvaluationResult> Folds { get; }

    /// <summary>The arithmetic mean over folds of every metric that all folds report, by canonical name.</summary>
    public IReadOnlyDictionary<string, double> Mean { get; }

    /// <summary>Wall-clock time of the whole run, fitting included.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Wall-clock time spent in <see cref="IRecommender.Fit"/>, summed over folds.</summary>
    public TimeSpan FitTime { get; }
}
