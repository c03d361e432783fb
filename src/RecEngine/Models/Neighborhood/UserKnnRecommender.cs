using RecEngine.Data;
using RecEngine.Persistence;

namespace RecEngine.Models.Neighborhood;

/// <summary>
/// User-based collaborative filtering ("users like you liked"): every user keeps the K most similar users. Top-N
/// score of item j for user u: Σ_{v ∈ N(u)} sim(u, v) · w_vj over the neighbours v that have item j. Rating
/// prediction: the baseline plus the similarity-weighted residuals of the neighbours' ratings of the item
/// (KNNBaseline, user-based).
/// </summary>
/// <remarks>
/// <para>
/// Fit builds the user-user graph with the multi-threaded sparse product (<see cref="SimilarityMeasure"/>,
/// <see cref="NeighborhoodOptions"/>). Memory is O(users · K). A top-N call costs O(Σ_{v∈N(u)} |I_v| + items).
/// A user without neighbours gets the popularity fallback. <c>SimilarItems</c> has no user-user notion and falls
/// back to popularity.
/// </para>
/// <para>
/// <see cref="PredictRating"/>: <c>r̂_ui = b_ui + Σ_v s_uv (r_vi − b_vi) / Σ_v s_uv</c> over the (at most
/// <see cref="NeighborhoodOptions.PredictionNeighbors"/>) most similar neighbours v of u that rated i; b_ui alone
/// when there is none, and for unknown users or items. Clipped to the training range when the baseline clips.
/// </para>
/// <para>Thread safety: see <see cref="RecommenderBase"/>; <see cref="PredictRating"/> is safe for concurrent callers too.</para>
/// </remarks>
public sealed class UserKnnRecommender : RecommenderBase, IRatingPredictor
{
    private readonly NeighborhoodOptions _options;

    /// <summary>Creates the recommender.</summary>
    /// <param name="options">Options; <see langword="null"/> for the defaults (cosine, K = 20, no shrinkage).</param>
    /// <exception cref="ArgumentOutOfRangeException">The options are invalid.</exception>
    public UserKnnRecommender(NeighborhoodOptions? options = null)
    {
        _options = options ?? new NeighborhoodOptions();
        _options.Validate();
    }

    /// <inheritdoc/>
    public override string Name => "user-knn";

    /// <inheritdoc/>
    public float PredictRating(string userId, string itemId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(itemId);
        var model = (UserKnnModel)Current;
        return (float)model.Fit.Predict(model.Context.TrainedUserIndex(userId), model.Context.TrainedItemIndex(itemId), itemBased: false);
    }

    private protected override TrainedModel Train(InteractionDataset dataset, FitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var fit = NeighborhoodFit.Build(dataset, _options, itemBased: false, cancellationToken);
        progress?.Report(new TrainingProgress("similarities", 1, 1, double.NaN));
        return new UserKnnModel(context, fit);
    }

    /// <summary>The kind under which model files store this recommender.</summary>
    internal const string Kind = "user-knn";

    /// <inheritdoc/>
    internal override string StateKind => Kind;

    /// <inheritdoc/>
    internal override void WriteState(StateWriter writer, TrainedModel model)
    {
        _options.Write(writer);
        ((UserKnnModel)model).Fit.Write(writer);
    }

    /// <summary>Reads a recommender written by <see cref="WriteState"/>.</summary>
    internal static UserKnnRecommender ReadState(StateReader reader, FitContext context)
    {
        var options = NeighborhoodOptions.Read(reader);
        var recommender = new UserKnnRecommender(options);
        recommender.Restore(new UserKnnModel(context, NeighborhoodFit.Read(reader, context, options, itemBased: false)));
        return recommender;
    }

    private sealed class UserKnnModel(FitContext context, NeighborhoodFit fit) : TrainedModel(context)
    {
        public NeighborhoodFit Fit => fit;

        public override bool CanPersonalize(int user) => !fit.Graph.NeighborsOf(user).IsEmpty;

        public override void ScoreAll(int user, Span<float> scores)
        {
            scores.Clear();
            ReadOnlySpan<int> neighbors = fit.Graph.NeighborsOf(user);
            ReadOnlySpan<float> similarities = fit.Graph.SimilaritiesOf(user);
            for (int n = 0; n < neighbors.Length; n++)
            {
                float similarity = similarities[n] * fit.NeighborSums[user];
                ReadOnlySpan<int> items = fit.Matrix.RowColumns(neighbors[n]);
                ReadOnlySpan<float> weights = fit.Matrix.RowValues(neighbors[n]);
                for (int e = 0; e < items.Length; e++)
                {
                    scores[items[e]] += similarity * weights[e];
                }
            }
        }
    }
}
