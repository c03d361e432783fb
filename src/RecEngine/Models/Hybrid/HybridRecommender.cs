using System.Buffers;
using RecEngine.Data;
using RecEngine.Evaluation;
using RecEngine.Persistence;

namespace RecEngine.Models.Hybrid;

/// <summary>Options of <see cref="HybridRecommender"/>.</summary>
public sealed class HybridOptions
{
    /// <summary>
    /// Whether the weights are learned at each fit instead of taken as given: the parts are fitted on the data minus
    /// each user's latest interaction, every weight vector on a grid over the simplex (steps of
    /// <see cref="WeightStep"/>) is scored on those held-out interactions by HR@<see cref="RankingEvaluationOptions.K"/>
    /// (ties by NDCG) under <see cref="Validation"/>, and the parts are then fitted on all the data with the best
    /// weights.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool LearnWeights { get; set; }

    /// <summary>The grid step of learned weights; 1 / step must be a whole number.</summary>
    /// <value>The default value is 0.1.</value>
    public double WeightStep { get; set; } = 0.1;

    /// <summary>How learned weights are scored; the default is the full-ranking protocol at 10.</summary>
    public RankingEvaluationOptions Validation { get; set; } = new();

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        double steps = 1 / WeightStep;
        if (!(WeightStep is > 0 and <= 1) || Math.Abs(steps - Math.Round(steps)) > 1e-9)
        {
            throw new ArgumentOutOfRangeException(nameof(WeightStep), WeightStep, "WeightStep must divide 1 into whole steps, for example 0.1 or 0.25.");
        }

        ArgumentNullException.ThrowIfNull(Validation, nameof(Validation));
        Validation.Validate();
    }

    /// <summary>Writes the options into saved state.</summary>
    internal void Write(StateWriter writer)
    {
        writer.Write(LearnWeights);
        writer.Write(WeightStep);
        Validation.Write(writer);
    }

    /// <summary>Reads options written by <see cref="Write"/> (the hybrid validates them).</summary>
    internal static HybridOptions Read(StateReader reader) => new()
    {
        LearnWeights = reader.ReadBoolean(),
        WeightStep = reader.ReadDouble(),
        Validation = RankingEvaluationOptions.Read(reader),
    };
}

/// <summary>
/// Blends several recommenders: an item's score is <c>Σ_k w_k z_k</c>, where <c>z_k</c> is part k's score of the item
/// standardised over the catalog for that user (mean 0, deviation 1), so parts with different scales mix as
/// configured. A part that cannot personalise for the user contributes its fallback (popularity) standardised the
/// same way. Weights are given, or learned on a validation split (<see cref="HybridOptions.LearnWeights"/>).
/// </summary>
/// <remarks>
/// Every part is fitted on the same data by <see cref="IRecommender.Fit"/>. A top-N call scores the catalog once
/// per part. Similar items are the first part's that has a notion of similarity. Thread safety: see
/// <see cref="RecommenderBase"/>.
/// </remarks>
public sealed class HybridRecommender : RecommenderBase
{
    private readonly RecommenderBase[] _parts;
    private readonly double[] _configured;
    private readonly HybridOptions _options;
    private double[] _weights;

    /// <summary>Creates the blend.</summary>
    /// <param name="parts">Two or more distinct RecEngine models with their weights (non-negative, not all zero; ignored when weights are learned).</param>
    /// <param name="options">Options; <see langword="null"/> for configured weights.</param>
    /// <exception cref="ArgumentException">Fewer than two parts, a part twice, or invalid weights.</exception>
    public HybridRecommender(IEnumerable<(RecommenderBase Model, double Weight)> parts, HybridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(parts);
        (RecommenderBase Model, double Weight)[] list = [.. parts];
        if (list.Length < 2 || list.Any(p => p.Model is null) || list.Select(p => p.Model).Distinct().Count() != list.Length)
        {
            throw new ArgumentException("A hybrid needs at least two distinct models.", nameof(parts));
        }

        if (list.Any(p => !(p.Weight >= 0) || double.IsInfinity(p.Weight)) || list.All(p => p.Weight == 0))
        {
            throw new ArgumentException("Weights must be finite, non-negative and not all zero.", nameof(parts));
        }

        _options = options ?? new HybridOptions();
        _options.Validate();
        _parts = [.. list.Select(p => p.Model)];
        _configured = [.. list.Select(p => p.Weight)];
        _weights = _configured;
    }

    /// <inheritdoc/>
    public override string Name => "hybrid";

    /// <summary>The weights in use: the configured ones, or those the last fit learned.</summary>
    public IReadOnlyList<double> Weights => Volatile.Read(ref _weights);

    private protected override TrainedModel Train(InteractionDataset dataset, FitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        double[] weights = _options.LearnWeights ? Learn(dataset, progress, cancellationToken) : _configured;
        foreach (RecommenderBase part in _parts)
        {
            part.Fit(dataset, progress, cancellationToken);
        }

        Volatile.Write(ref _weights, weights);
        return new HybridModel(context, [.. _parts.Select(p => p.TrainedOrNull!)], weights);
    }

    /// <summary>The weights of the grid that score best on each user's held-out latest interaction.</summary>
    private double[] Learn(InteractionDataset dataset, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        [.. Search([DatasetSplit.LeaveLastOut(dataset)], progress, cancellationToken).Result.Best.Candidate];

    /// <summary>
    /// Chooses the blend weights on a validation split, the way <see cref="HyperparameterSearch"/> chooses other
    /// hyper-parameters: the parts are fitted once on <c>validation.Train</c>, every weight vector of the simplex grid
    /// (steps of <see cref="HybridOptions.WeightStep"/>, in a fixed order) is scored on <c>validation.Test</c> under
    /// <see cref="HybridOptions.Validation"/>, and the best by HR@k, ties by NDCG@k, then the earliest, is returned
    /// with every trial. Carve the split from the training data of the final evaluation so that test interactions
    /// never influence the choice; then blend with the chosen weights (<see cref="HybridOptions.LearnWeights"/> off)
    /// and fit on all the training data.
    /// </summary>
    /// <remarks>
    /// Each part scores each validation user's catalog once, not once per weight vector: the scores are kept for the
    /// search, about <c>users × items × parts</c> floats (47 MB for two parts on ml-latest-small). The parts are left
    /// fitted on <c>validation.Train</c>; the hybrid itself is not fitted by the search.
    /// </remarks>
    /// <param name="validation">The validation split.</param>
    /// <param name="cancellationToken">Cancels the search (between weight vectors and users).</param>
    /// <returns>Every weight vector tried with its HR@k (fit time zero: the parts are fitted once, before the trials), and the best.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="validation"/> is null.</exception>
    /// <exception cref="OperationCanceledException">The search was cancelled.</exception>
    public SearchResult<IReadOnlyList<double>> SearchWeights(DatasetSplit validation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(validation);
        return Search([validation], progress: null, cancellationToken).Result;
    }

    /// <summary>
    /// Chooses the blend weights on several validation splits (for example nested leave-last-out splits: each user's
    /// latest training interaction, then the one before), scoring each weight vector by its mean HR@k over the splits
    /// (ties by the mean NDCG@k, then the earliest), which makes the choice less sensitive to the noise of one small
    /// split. Otherwise as <see cref="SearchWeights(DatasetSplit, CancellationToken)"/>; the parts are fitted once per
    /// split and left fitted on the last one's training data.
    /// </summary>
    /// <param name="validations">The validation splits, carved from training data; at least one.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    /// <returns>Every weight vector tried with its mean HR@k, and the best.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="validations"/> or one of its splits is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="validations"/> is empty.</exception>
    /// <exception cref="OperationCanceledException">The search was cancelled.</exception>
    public SearchResult<IReadOnlyList<double>> SearchWeights(IReadOnlyList<DatasetSplit> validations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(validations);
        if (validations.Count == 0)
        {
            throw new ArgumentException("At least one validation split is needed.", nameof(validations));
        }

        foreach (DatasetSplit split in validations)
        {
            ArgumentNullException.ThrowIfNull(split, nameof(validations));
        }

        return Search(validations, progress: null, cancellationToken).Result;
    }

    /// <summary>As <see cref="SearchWeights(IReadOnlyList{DatasetSplit}, CancellationToken)"/>, with each trial's mean NDCG@k too, in trial order.</summary>
    internal (SearchResult<IReadOnlyList<double>> Result, IReadOnlyList<double> Ndcg) SearchWeightsWithNdcg(IReadOnlyList<DatasetSplit> validations, CancellationToken cancellationToken = default)
    {
        return Search(validations, progress: null, cancellationToken);
    }

    private (SearchResult<IReadOnlyList<double>> Result, IReadOnlyList<double> Ndcg) Search(IReadOnlyList<DatasetSplit> splits, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        List<double[]> grid = Simplex(_parts.Length, (int)Math.Round(1 / _options.WeightStep));
        var hitRates = new double[grid.Count];
        var ndcgs = new double[grid.Count];
        string hr = MetricNames.HitRate(_options.Validation.K), ndcg = MetricNames.Ndcg(_options.Validation.K);
        foreach (DatasetSplit split in splits)
        {
            foreach (RecommenderBase part in _parts)
            {
                part.Fit(split.Train, progress, cancellationToken);
            }

            var context = FitContext.Create(split.Train);
            TrainedModel[] trained = [.. _parts.Select(p => (TrainedModel)new RememberedScores(p.TrainedOrNull!))];
            for (int g = 0; g < grid.Count; g++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var candidate = new HybridRecommender(_parts.Zip(grid[g]), _options);
                candidate.Restore(new HybridModel(context, trained, grid[g]));
                EvaluationResult result = RankingEvaluator.Evaluate(candidate, split, _options.Validation, cancellationToken);
                hitRates[g] += result[hr] / splits.Count;
                ndcgs[g] += result[ndcg] / splits.Count;
                progress?.Report(new TrainingProgress("weights", g + 1, grid.Count, result[hr]));
            }
        }

        var trials = new List<SearchTrial<IReadOnlyList<double>>>(grid.Count);
        int best = 0;
        for (int g = 0; g < grid.Count; g++)
        {
            trials.Add(new SearchTrial<IReadOnlyList<double>>(Array.AsReadOnly(grid[g]), hitRates[g], TimeSpan.Zero));
            if (hitRates[g] > hitRates[best] || (hitRates[g] == hitRates[best] && ndcgs[g] > ndcgs[best]))
            {
                best = g;
            }
        }

        return (new SearchResult<IReadOnlyList<double>>(trials[best], trials.AsReadOnly()), Array.AsReadOnly(ndcgs));
    }

    /// <summary>The kind under which model files store this recommender.</summary>
    internal const string Kind = "hybrid";

    /// <inheritdoc/>
    internal override string StateKind => Kind;

    /// <inheritdoc/>
    internal override IEnumerable<(RecommenderBase Part, TrainedModel State)> SavedParts(TrainedModel model) =>
        _parts.Zip(((HybridModel)model).Parts);

    /// <summary>
    /// Writes the options, the configured weights, the weights in use and each part as a nested model, with the
    /// state <paramref name="model"/> blends (a part refitted on its own since does not change the hybrid).
    /// </summary>
    internal override void WriteState(StateWriter writer, TrainedModel model)
    {
        var hybrid = (HybridModel)model;
        _options.Write(writer);
        writer.WriteArray<double>(_configured);
        writer.WriteArray<double>(hybrid.Weights);
        for (int p = 0; p < _parts.Length; p++)
        {
            ModelFile.WritePart(writer, _parts[p], hybrid.Parts[p], model.Context);
        }
    }

    /// <summary>Reads a recommender written by <see cref="WriteState"/>.</summary>
    internal static HybridRecommender ReadState(StateReader reader, FitContext context)
    {
        HybridOptions options = HybridOptions.Read(reader);
        double[] configured = reader.ReadArray<double>("hybrid weight");
        if (configured.Length < 2)
        {
            throw reader.Invalid($"has a hybrid of {configured.Length} parts.");
        }

        double[] weights = reader.ReadFiniteDoubles(configured.Length, "hybrid weight in use");
        if (weights.Any(w => w < 0) || weights.All(w => w == 0))
        {
            throw reader.Invalid($"has hybrid weights in use [{string.Join(", ", weights)}] that are negative or all zero.");
        }

        var parts = new RecommenderBase[configured.Length];
        for (int p = 0; p < parts.Length; p++)
        {
            parts[p] = ModelFile.ReadModelPart(reader, context, "hybrid part");
        }

        // The constructor checks the configured weights and the options; its ArgumentException becomes InvalidDataException.
        var hybrid = new HybridRecommender(parts.Zip(configured), options);
        hybrid._weights = weights;
        hybrid.Restore(new HybridModel(context, [.. parts.Select(p => p.TrainedOrNull!)], weights));
        return hybrid;
    }

    /// <summary>Every weight vector of <paramref name="parts"/> non-negative multiples of 1 / <paramref name="steps"/> summing to 1.</summary>
    private static List<double[]> Simplex(int parts, int steps)
    {
        var grid = new List<double[]>();
        var current = new int[parts];
        void Fill(int part, int left)
        {
            if (part == parts - 1)
            {
                current[part] = left;
                if (current.Any(c => c > 0))
                {
                    grid.Add([.. current.Select(c => (double)c / steps)]);
                }

                return;
            }

            for (int c = 0; c <= left; c++)
            {
                current[part] = c;
                Fill(part + 1, left - c);
            }
        }

        Fill(0, steps);
        return grid;
    }

    private sealed class HybridModel(FitContext context, TrainedModel[] parts, double[] weights) : TrainedModel(context)
    {
        /// <summary>The parts' states, in the order of the weights.</summary>
        public TrainedModel[] Parts => parts;

        /// <summary>The weights this state blends with.</summary>
        public double[] Weights => weights;

        public override float[] FallbackScores => parts[0].FallbackScores;

        public override int[] FallbackOrder => parts[0].FallbackOrder;

        public override bool CanPersonalize(int user) => parts.Any(p => p.CanPersonalize(user));

        public override bool TrySimilarTo(int item, Span<float> scores)
        {
            foreach (TrainedModel part in parts)
            {
                if (part.TrySimilarTo(item, scores))
                {
                    return true;
                }
            }

            return false;
        }

        public override void ScoreAll(int user, Span<float> scores)
        {
            int n = scores.Length;
            float[] buffer = ArrayPool<float>.Shared.Rent(n);
            try
            {
                Span<float> part = buffer.AsSpan(0, n);
                scores.Clear();
                for (int p = 0; p < parts.Length; p++)
                {
                    if (weights[p] == 0)
                    {
                        continue;
                    }

                    if (parts[p].CanPersonalize(user))
                    {
                        parts[p].ScoreAll(user, part);
                    }
                    else
                    {
                        parts[p].FallbackScores.AsSpan(0, n).CopyTo(part);
                    }

                    AddStandardized(part, (float)weights[p], scores);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }

        /// <summary>Adds weight · (s − mean) / deviation of every finite score; a non-finite one counts as the lowest finite.</summary>
        private static void AddStandardized(Span<float> part, float weight, Span<float> scores)
        {
            double sum = 0, squares = 0;
            float lowest = float.PositiveInfinity;
            int finite = 0;
            foreach (float s in part)
            {
                if (float.IsFinite(s))
                {
                    sum += s;
                    squares += (double)s * s;
                    lowest = Math.Min(lowest, s);
                    finite++;
                }
            }

            if (finite == 0)
            {
                return;
            }

            double mean = sum / finite;
            double deviation = Math.Sqrt(Math.Max((squares / finite) - (mean * mean), 0));
            float scale = deviation > 0 ? (float)(weight / deviation) : 0f;
            for (int i = 0; i < part.Length; i++)
            {
                float s = float.IsFinite(part[i]) ? part[i] : lowest;
                scores[i] += (float)((s - mean) * scale);
            }
        }
    }

    /// <summary>
    /// A part's scores kept per user for the length of a weight search, so that each user's catalog is scored once
    /// per part whatever the number of weight vectors. Safe for concurrent readers (a race scores a user twice, with
    /// the same values).
    /// </summary>
    private sealed class RememberedScores(TrainedModel inner) : TrainedModel(inner.Context)
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<int, float[]> _scores = new();

        public override float[] FallbackScores => inner.FallbackScores;

        public override int[] FallbackOrder => inner.FallbackOrder;

        public override bool CanPersonalize(int user) => inner.CanPersonalize(user);

        public override bool TrySimilarTo(int item, Span<float> scores) => inner.TrySimilarTo(item, scores);

        public override void ScoreAll(int user, Span<float> scores)
        {
            if (!_scores.TryGetValue(user, out float[]? kept))
            {
                kept = new float[scores.Length];
                inner.ScoreAll(user, kept);
                kept = _scores.GetOrAdd(user, kept);
            }

            kept.AsSpan(0, scores.Length).CopyTo(scores);
        }
    }
}
