using System.Collections.ObjectModel;
using System.Diagnostics;

namespace RecEngine.Evaluation;

/// <summary>
/// Grid search of hyper-parameters on a validation split: fits one model per candidate on
/// <c>validation.Train</c>, scores it on <c>validation.Test</c> and returns the best. Carve the validation split from
/// the training data of the final evaluation (for example <c>DatasetSplit.LeaveLastOut(split.Train)</c>) so that the
/// test interactions never influence the choice.
/// </summary>
/// <remarks>
/// Candidates are tried in the order given and ties keep the earlier one, so the result is deterministic when the
/// models are. The score is one metric of <see cref="RankingEvaluator"/> (higher is better) or, with
/// <see cref="MetricNames.Rmse"/> or <see cref="MetricNames.Mae"/>, of <see cref="RatingEvaluator"/> (lower is better;
/// the model must implement <see cref="IRatingPredictor"/>).
/// </remarks>
public static class HyperparameterSearch
{
    /// <summary>Tries every candidate and returns them all with the best one.</summary>
    /// <typeparam name="TCandidate">A description of one configuration (a record of options works well).</typeparam>
    /// <param name="candidates">The configurations to try; at least one.</param>
    /// <param name="createModel">Makes a new, unfitted model for a configuration.</param>
    /// <param name="validation">The validation split, carved from training data.</param>
    /// <param name="metric">The metric to optimise, a name from <see cref="MetricNames"/> such as <c>HR@10</c>.</param>
    /// <param name="options">Ranking evaluation options; <see langword="null"/> for the defaults (k = 10, full protocol).</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">No candidate was given, or the metric is not one the evaluation reports.</exception>
    /// <exception cref="OperationCanceledException">The search was cancelled.</exception>
    public static SearchResult<TCandidate> Run<TCandidate>(
        IEnumerable<TCandidate> candidates, Func<TCandidate, IRecommender> createModel, DatasetSplit validation,
        string metric, RankingEvaluationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(validation);
        return Run(candidates, createModel, [validation], metric, options, cancellationToken);
    }

    /// <summary>
    /// Tries every candidate on several validation splits and scores it by the mean of its scores, which makes the
    /// choice less sensitive to the noise of one small split (for example nested leave-last-out splits: each
    /// user's latest training interaction, then the one before).
    /// </summary>
    /// <param name="candidates">The configurations to try; at least one.</param>
    /// <param name="createModel">Makes a new, unfitted model for a configuration.</param>
    /// <param name="validations">The validation splits, carved from training data; at least one.</param>
    /// <param name="metric">The metric to optimise, a name from <see cref="MetricNames"/> such as <c>HR@10</c>.</param>
    /// <param name="options">Ranking evaluation options; <see langword="null"/> for the defaults (k = 10, full protocol).</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <typeparam name="TCandidate">A description of one configuration.</typeparam>
    /// <returns>Every trial with its mean score and its total fit time, and the best one.</returns>
    /// <exception cref="ArgumentNullException">An argument or a split is null.</exception>
    /// <exception cref="ArgumentException">No candidate or no split was given, or the metric is not one the evaluation reports.</exception>
    /// <exception cref="OperationCanceledException">The search was cancelled.</exception>
    public static SearchResult<TCandidate> Run<TCandidate>(
        IEnumerable<TCandidate> candidates, Func<TCandidate, IRecommender> createModel, IReadOnlyList<DatasetSplit> validations,
        string metric, RankingEvaluationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(createModel);
        ArgumentNullException.ThrowIfNull(validations);
        ArgumentNullException.ThrowIfNull(metric);
        if (validations.Count == 0)
        {
            throw new ArgumentException("At least one validation split is needed.", nameof(validations));
        }

        foreach (DatasetSplit split in validations)
        {
            ArgumentNullException.ThrowIfNull(split, nameof(validations));
        }

        bool rating = metric is MetricNames.Rmse or MetricNames.Mae;
        var trials = new List<SearchTrial<TCandidate>>();
        int best = -1;
        foreach (TCandidate candidate in candidates)
        {
            double total = 0;
            TimeSpan fitTime = TimeSpan.Zero;
            foreach (DatasetSplit validation in validations)
            {
                cancellationToken.ThrowIfCancellationRequested();
                IRecommender model = createModel(candidate) ?? throw new InvalidOperationException("The model factory returned null.");
                long start = Stopwatch.GetTimestamp();
                model.Fit(validation.Train, progress: null, cancellationToken);
                fitTime += Stopwatch.GetElapsedTime(start);
                EvaluationResult result = rating
                    ? RatingEvaluator.Evaluate(model as IRatingPredictor ?? throw new ArgumentException($"The metric '{metric}' needs a model that predicts ratings; '{model.Name}' does not.", nameof(metric)), validation, cancellationToken)
                    : RankingEvaluator.Evaluate(model, validation, options, cancellationToken);
                if (!result.Metrics.TryGetValue(metric, out double score))
                {
                    throw new ArgumentException($"The evaluation does not report '{metric}'; it reports {string.Join(", ", result.Metrics.Keys)}.", nameof(metric));
                }

                total += score;
            }

            double mean = total / validations.Count;
            trials.Add(new SearchTrial<TCandidate>(candidate, mean, fitTime));
            if (best < 0 || (rating ? mean < trials[best].Score : mean > trials[best].Score))
            {
                best = trials.Count - 1;
            }
        }

        if (best < 0)
        {
            throw new ArgumentException("At least one candidate is needed.", nameof(candidates));
        }

        return new SearchResult<TCandidate>(trials[best], new ReadOnlyCollection<SearchTrial<TCandidate>>(trials));
    }
}

/// <summary>One configuration tried by <see cref="HyperparameterSearch"/>.</summary>
/// <param name="Candidate">The configuration.</param>
/// <param name="Score">Its validation score (the mean over the validation splits).</param>
/// <param name="FitTime">How long fitting took (in total over the validation splits).</param>
/// <typeparam name="TCandidate">The configuration type.</typeparam>
public sealed record SearchTrial<TCandidate>(TCandidate Candidate, double Score, TimeSpan FitTime);

/// <summary>The outcome of a <see cref="HyperparameterSearch"/> run.</summary>
/// <param name="Best">The best trial (the earliest among equals).</param>
/// <param name="Trials">Every trial, in the order tried.</param>
/// <typeparam name="TCandidate">The configuration type.</typeparam>
public sealed record SearchResult<TCandidate>(SearchTrial<TCandidate> Best, IReadOnlyList<SearchTrial<TCandidate>> Trials);
