using System.Buffers;
using RecEngine.Data;
using RecEngine.Kernels;
using RecEngine.Persistence;

namespace RecEngine.Models.Hybrid;

/// <summary>
/// A two-stage recommender: a cheap model generates candidates, and a second model (typically the neural scorer)
/// re-scores the top <c>M</c> of them. Itself an <see cref="IRecommender"/>, so it can be evaluated, served by an
/// engine (as a retrained model) or wrapped again, and saved with <c>ModelFile</c> (both stages inside).
/// </summary>
/// <remarks>
/// <para>
/// <b>Scores</b>: for a user, the first stage scores the whole catalog; its <c>M</c> best items the user has not
/// seen are re-scored by the second stage and score <c>2 + σ(s₂)</c>, in (2, 3); every other item scores
/// <c>σ(z₁)</c>, in (0, 1), where z₁ is its first-stage score standardised over the catalog. So the re-ranked
/// candidates come first, in the second stage's order, then the rest in the first stage's order; <c>Score</c> gives
/// the same values for any list of items. Similar items are the first stage's.
/// </para>
/// <para>
/// Both stages are fitted on the same data by <see cref="IRecommender.Fit"/>. A top-N call costs the first stage's
/// full scoring plus <c>M</c> second-stage scores. Thread safety: see <see cref="RecommenderBase"/>.
/// </para>
/// </remarks>
public sealed class RerankingRecommender : RecommenderBase
{
    private readonly RecommenderBase _candidates;
    private readonly RecommenderBase _scorer;
    private readonly int _candidateCount;

    /// <summary>Creates the pipeline.</summary>
    /// <param name="candidates">The first stage (a RecEngine model, fitted with the pipeline).</param>
    /// <param name="scorer">The second stage (a RecEngine model, fitted with the pipeline).</param>
    /// <param name="candidateCount">M, the candidates re-scored per user.</param>
    /// <exception cref="ArgumentNullException">A stage is null.</exception>
    /// <exception cref="ArgumentException">Both stages are the same instance.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="candidateCount"/> is below 1.</exception>
    public RerankingRecommender(RecommenderBase candidates, RecommenderBase scorer, int candidateCount = 100)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentOutOfRangeException.ThrowIfLessThan(candidateCount, 1);
        if (ReferenceEquals(candidates, scorer))
        {
            throw new ArgumentException("The two stages must be different instances.", nameof(scorer));
        }

        _candidates = candidates;
        _scorer = scorer;
        _candidateCount = candidateCount;
    }

    /// <inheritdoc/>
    public override string Name => $"{_scorer.Name}-rerank-{_candidates.Name}";

    /// <summary>M, the candidates re-scored per user.</summary>
    public int CandidateCount => _candidateCount;

    private protected override TrainedModel Train(InteractionDataset dataset, FitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        _candidates.Fit(dataset, progress, cancellationToken);
        _scorer.Fit(dataset, progress, cancellationToken);
        return new RerankModel(context, _candidates.TrainedOrNull!, _scorer.TrainedOrNull!, _candidateCount);
    }

    /// <summary>The kind under which model files store this recommender.</summary>
    internal const string Kind = "rerank";

    /// <inheritdoc/>
    internal override string StateKind => Kind;

    /// <inheritdoc/>
    internal override IEnumerable<(RecommenderBase Part, TrainedModel State)> SavedParts(TrainedModel model)
    {
        var rerank = (RerankModel)model;
        return [(_candidates, rerank.First), (_scorer, rerank.Second)];
    }

    /// <summary>Writes M, then the two stages as nested models, with the states <paramref name="model"/> uses.</summary>
    internal override void WriteState(StateWriter writer, TrainedModel model)
    {
        var rerank = (RerankModel)model;
        writer.Write(_candidateCount);
        ModelFile.WritePart(writer, _candidates, rerank.First, model.Context);
        ModelFile.WritePart(writer, _scorer, rerank.Second, model.Context);
    }

    /// <summary>Reads a recommender written by <see cref="WriteState"/>.</summary>
    internal static RerankingRecommender ReadState(StateReader reader, FitContext context)
    {
        int candidateCount = reader.ReadInt32();
        RecommenderBase candidates = ModelFile.ReadModelPart(reader, context, "first stage");
        RecommenderBase scorer = ModelFile.ReadModelPart(reader, context, "second stage");

        // The constructor checks M; its ArgumentException becomes InvalidDataException.
        var pipeline = new RerankingRecommender(candidates, scorer, candidateCount);
        pipeline.Restore(new RerankModel(context, candidates.TrainedOrNull!, scorer.TrainedOrNull!, candidateCount));
        return pipeline;
    }

    private sealed class RerankModel(FitContext context, TrainedModel first, TrainedModel second, int candidates) : TrainedModel(context)
    {
        /// <summary>The first stage's state.</summary>
        public TrainedModel First => first;

        /// <summary>The second stage's state.</summary>
        public TrainedModel Second => second;

        public override float[] FallbackScores => first.FallbackScores;

        public override int[] FallbackOrder => first.FallbackOrder;

        public override bool CanPersonalize(int user) => first.CanPersonalize(user);

        public override bool TrySimilarTo(int item, Span<float> scores) => first.TrySimilarTo(item, scores);

        public override void ScoreAll(int user, Span<float> scores)
        {
            first.ScoreAll(user, scores);
            int n = scores.Length;
            double mean = 0, squares = 0;
            int finite = 0;
            foreach (float s in scores)
            {
                if (float.IsFinite(s))
                {
                    mean += s;
                    squares += (double)s * s;
                    finite++;
                }
            }

            mean = finite > 0 ? mean / finite : 0;
            double deviation = finite > 0 ? Math.Sqrt(Math.Max(squares / finite - (mean * mean), 0)) : 0;
            double scale = deviation > 0 ? 1 / deviation : 1;

            // The first stage's best unseen items: seen ones are set aside before selecting.
            float[] selection = ArrayPool<float>.Shared.Rent(n);
            int m = Math.Min(candidates, n);
            int[] topIndices = ArrayPool<int>.Shared.Rent(m);
            float[] topScores = ArrayPool<float>.Shared.Rent(m);
            float[] rescored = ArrayPool<float>.Shared.Rent(m);
            try
            {
                Span<float> eligible = selection.AsSpan(0, n);
                scores.CopyTo(eligible);
                foreach (int seen in Context.Seen.RowColumns(user))
                {
                    if (seen < n)
                    {
                        eligible[seen] = float.NaN;
                    }
                }

                int chosen = TopK.Select(eligible, topIndices.AsSpan(0, m), topScores.AsSpan(0, m));
                for (int i = 0; i < n; i++)
                {
                    float s = scores[i];
                    scores[i] = float.IsFinite(s) ? Sigmoid((s - mean) * scale) : s;
                }

                ReadOnlySpan<int> top = topIndices.AsSpan(0, chosen);
                Span<float> secondScores = rescored.AsSpan(0, chosen);
                second.ScoreItems(user, top, secondScores);
                for (int c = 0; c < chosen; c++)
                {
                    scores[top[c]] = 2f + Sigmoid(secondScores[c]);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(selection);
                ArrayPool<int>.Shared.Return(topIndices);
                ArrayPool<float>.Shared.Return(topScores);
                ArrayPool<float>.Shared.Return(rescored);
            }
        }

        private static float Sigmoid(double z) => (float)(z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z)));
    }
}
