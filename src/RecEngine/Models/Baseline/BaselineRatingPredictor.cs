using RecEngine.Data;
using RecEngine.Persistence;

namespace RecEngine.Models.Baseline;

/// <summary>
/// Baseline rating predictor: the global mean plus a regularised bias per user and per item,
/// <c>b_ui = μ + b_u + b_i</c> (Koren 2010, "Factor in the neighbors", ACM TKDD 4(1), §2.1, eq. 1). The reference
/// every rating model must beat, and a useful model on its own: it captures that some users rate high and some
/// items are liked by everyone.
/// </summary>
/// <remarks>
/// <para>
/// μ is the mean training rating, fixed. The biases minimise Koren's regularised least-squares objective (eq. 2,
/// with separate penalties as in Surprise):
/// <c>Σ_{(u,i)} (r_ui − μ − b_u − b_i)² + λ_u Σ_u b_u² + λ_i Σ_i b_i²</c>. Each of
/// <see cref="BaselineOptions.Iterations"/> alternating least-squares sweeps first sets every item bias to its exact
/// minimiser with the user biases fixed, then every user bias with the item biases fixed, starting from zero:
/// <c>b_i ← Σ_{u∈R(i)} (r_ui − μ − b_u) / (λ_i + |R(i)|)</c>, then <c>b_u ← Σ_{i∈R(u)} (r_ui − μ − b_i) / (λ_u + |R(u)|)</c>.
/// This is Surprise's <c>BaselineOnly</c> with <c>method='als'</c>, and its defaults (λ_i = 10, λ_u = 15, 10 sweeps).
/// Every step is an exact block minimisation, so the objective never increases; it is reported after each sweep
/// through the progress callback. A sweep is O(ratings).
/// </para>
/// <para>
/// Ratings are the interactions' values; repeated ratings of an item by a user count once, the latest one winning
/// (<see cref="DuplicatePolicy.LastWins"/>). Fit it on rating interactions. With no ratings at all, μ is 0.
/// </para>
/// <para>
/// <b>Fallbacks</b> (<see cref="PredictRating"/>): the bias of an unknown user or item is 0, so an unknown user gets
/// <c>μ + b_i</c>, an unknown item <c>μ + b_u</c>, and both unknown <c>μ</c>; with
/// <see cref="BaselineOptions.ClipPredictions"/> the result is clipped to the range of the training ratings
/// (Surprise clips to the reader's rating scale, which equals it on the usual datasets).
/// </para>
/// <para>
/// As a recommender it ranks a known user's unseen items by predicted rating, which for this model is the order of
/// the item biases; users without training ratings get the popularity fallback of <see cref="RecommenderBase"/>.
/// Thread safety: see <see cref="RecommenderBase"/>; <see cref="PredictRating"/> is safe for concurrent callers too.
/// </para>
/// </remarks>
public sealed class BaselineRatingPredictor : RecommenderBase, IRatingPredictor
{
    private readonly BaselineOptions _options;

    /// <summary>Creates the predictor.</summary>
    /// <param name="options">Options; <see langword="null"/> for the defaults (λ_u = 15, λ_i = 10, 10 sweeps, clipping on).</param>
    /// <exception cref="ArgumentOutOfRangeException">The options are invalid.</exception>
    public BaselineRatingPredictor(BaselineOptions? options = null)
    {
        _options = options ?? new BaselineOptions();
        _options.Validate();
    }

    /// <inheritdoc/>
    public override string Name => "baseline";

    /// <inheritdoc/>
    /// <remarks>Returns <c>μ + b_u + b_i</c>, with the bias of an unknown user or item taken as 0, clipped when <see cref="BaselineOptions.ClipPredictions"/> is set.</remarks>
    public float PredictRating(string userId, string itemId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(itemId);
        var model = (BaselineModel)Current;
        int user = model.Context.TrainedUserIndex(userId);
        int item = model.Context.TrainedItemIndex(itemId);
        return (float)model.Biases.Clip(model.Biases.Estimate(user, item));
    }

    private protected override TrainedModel Train(InteractionDataset dataset, FitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var ratings = InteractionMatrix.Build(dataset, MatrixValues.Value, DuplicatePolicy.LastWins);
        return new BaselineModel(context, BaselineBiases.Fit(ratings, _options, progress, cancellationToken));
    }

    /// <summary>The kind under which model files store this recommender.</summary>
    internal const string Kind = "baseline";

    /// <inheritdoc/>
    internal override string StateKind => Kind;

    /// <inheritdoc/>
    internal override void WriteState(StateWriter writer, TrainedModel model)
    {
        _options.Write(writer);
        ((BaselineModel)model).Biases.Write(writer);
    }

    /// <summary>Reads a recommender written by <see cref="WriteState"/>.</summary>
    internal static BaselineRatingPredictor ReadState(StateReader reader, FitContext context)
    {
        var recommender = new BaselineRatingPredictor(BaselineOptions.Read(reader));
        recommender.Restore(new BaselineModel(context, BaselineBiases.Read(reader, context.UserCount, context.ItemCount)));
        return recommender;
    }

    private sealed class BaselineModel(FitContext context, BaselineBiases biases) : TrainedModel(context)
    {
        public BaselineBiases Biases => biases;

        public override void ScoreAll(int user, Span<float> scores)
        {
            for (int i = 0; i < scores.Length; i++)
            {
                scores[i] = (float)biases.Estimate(user, i);
            }
        }

        public override void ScoreItems(int user, ReadOnlySpan<int> items, Span<float> scores)
        {
            for (int j = 0; j < items.Length; j++)
            {
                scores[j] = (float)biases.Estimate(user, items[j]);
            }
        }
    }
}
