using RecEngine.Data;
using RecEngine.Persistence;

namespace RecEngine.Models.Neighborhood;

/// <summary>
/// Item-based collaborative filtering ("people who liked this also liked"): every item keeps its K most similar
/// items. Top-N score of item j for user u: Σ_{i ∈ I_u} w_ui · sim(i, j) over the user's items i that have j among
/// their neighbours, with w_ui the user's value for i. Rating prediction: the baseline plus the similarity-weighted
/// residuals of the user's ratings of the item's neighbours (KNNBaseline).
/// </summary>
/// <remarks>
/// <para>
/// Fit builds the neighbour graph with a multi-threaded sparse product (<see cref="SimilarityMeasure"/> documents the
/// measures, <see cref="NeighborhoodOptions"/> the options). Memory is O(items · K). A top-N call costs
/// O(|I_u| · K + items). Items no neighbour list reaches score 0; a user none of whose items has neighbours gets
/// the popularity fallback. <c>SimilarItems</c> returns the item's stored neighbours (at most K) with their
/// similarities; an item without neighbours falls back to popularity.
/// </para>
/// <para>
/// <see cref="PredictRating"/>: <c>r̂_ui = b_ui + Σ_j s_ij (r_uj − b_uj) / Σ_j s_ij</c> over the (at most
/// <see cref="NeighborhoodOptions.PredictionNeighbors"/>) most similar neighbours j of i that u rated, with the
/// baseline b of <see cref="NeighborhoodOptions.Baseline"/>; b_ui alone when there is none, and for unknown users or
/// items (their bias is 0). Clipped to the training range when the baseline clips. Fit rating prediction with
/// <see cref="MatrixValues.Value"/> and a centred measure (Pearson, adjusted cosine).
/// </para>
/// <para>Thread safety: see <see cref="RecommenderBase"/>; <see cref="PredictRating"/> is safe for concurrent callers too.</para>
/// </remarks>
public sealed class ItemKnnRecommender : RecommenderBase, IRatingPredictor
{
    private readonly NeighborhoodOptions _options;

    /// <summary>Creates the recommender.</summary>
    /// <param name="options">Options; <see langword="null"/> for the defaults (cosine, K = 20, no shrinkage).</param>
    /// <exception cref="ArgumentOutOfRangeException">The options are invalid.</exception>
    public ItemKnnRecommender(NeighborhoodOptions? options = null)
    {
        _options = options ?? new NeighborhoodOptions();
        _options.Validate();
    }

    /// <inheritdoc/>
    public override string Name => "item-knn";

    /// <inheritdoc/>
    public float PredictRating(string userId, string itemId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(itemId);
        var model = (ItemKnnModel)Current;
        return (float)model.Fit.Predict(model.Context.TrainedUserIndex(userId), model.Context.TrainedItemIndex(itemId), itemBased: true);
    }

    /// <summary>
    /// Explains the top-N score of <paramref name="itemId"/> for <paramref name="userId"/>: "because you liked X".
    /// The score is exactly the sum of one term per item i of the user that has the item among its neighbours,
    /// <c>w_ui · sim(i, j)</c> (divided by i's similarity sum when normalising); the largest terms are returned.
    /// </summary>
    /// <param name="userId">The user.</param>
    /// <param name="itemId">The item to explain.</param>
    /// <param name="count">How many contributions to return (largest first).</param>
    /// <returns>The explanation, or <see langword="null"/> when the user or the item is unknown, or no item of the user reaches it.</returns>
    /// <exception cref="ArgumentNullException">An id is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="InvalidOperationException">The model has not been fitted.</exception>
    public Explanation? Explain(string userId, string itemId, int count = 10)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(itemId);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var model = (ItemKnnModel)Current;
        int user = model.Context.TrainedUserIndex(userId);
        int item = model.Context.TrainedItemIndex(itemId);
        if (user < 0 || item < 0)
        {
            return null;
        }

        NeighborhoodFit fit = model.Fit;
        ReadOnlySpan<int> items = fit.Matrix.RowColumns(user);
        ReadOnlySpan<float> weights = fit.Matrix.RowValues(user);
        var contributions = new List<ItemContribution>();
        float score = 0;
        for (int e = 0; e < items.Length; e++)
        {
            int at = fit.Graph.NeighborsOf(items[e]).IndexOf(item);
            if (at >= 0)
            {
                float term = weights[e] * fit.NeighborSums[items[e]] * fit.Graph.SimilaritiesOf(items[e])[at];
                score += term;
                contributions.Add(new ItemContribution(model.Context.Items.GetId(items[e]), term));
            }
        }

        if (contributions.Count == 0)
        {
            return null;
        }

        contributions.Sort((a, b) => b.Contribution.CompareTo(a.Contribution));
        return new Explanation(itemId, score, contributions.Count > count ? contributions[..count] : contributions);
    }

    private protected override TrainedModel Train(InteractionDataset dataset, FitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var fit = NeighborhoodFit.Build(dataset, _options, itemBased: true, cancellationToken);
        progress?.Report(new TrainingProgress("similarities", 1, 1, double.NaN));
        return new ItemKnnModel(context, fit);
    }

    /// <summary>The kind under which model files store this recommender.</summary>
    internal const string Kind = "item-knn";

    /// <inheritdoc/>
    internal override string StateKind => Kind;

    /// <inheritdoc/>
    internal override void WriteState(StateWriter writer, TrainedModel model)
    {
        _options.Write(writer);
        ((ItemKnnModel)model).Fit.Write(writer);
    }

    /// <summary>Reads a recommender written by <see cref="WriteState"/>.</summary>
    internal static ItemKnnRecommender ReadState(StateReader reader, FitContext context)
    {
        var options = NeighborhoodOptions.Read(reader);
        var recommender = new ItemKnnRecommender(options);
        recommender.Restore(new ItemKnnModel(context, NeighborhoodFit.Read(reader, context, options, itemBased: true)));
        return recommender;
    }

    private sealed class ItemKnnModel(FitContext context, NeighborhoodFit fit) : TrainedModel(context)
    {
        public NeighborhoodFit Fit => fit;

        public override bool CanPersonalize(int user)
        {
            foreach (int item in fit.Matrix.RowColumns(user))
            {
                if (!fit.Graph.NeighborsOf(item).IsEmpty)
                {
                    return true;
                }
            }

            return false;
        }

        public override void ScoreAll(int user, Span<float> scores)
        {
            scores.Clear();
            ReadOnlySpan<int> items = fit.Matrix.RowColumns(user);
            ReadOnlySpan<float> weights = fit.Matrix.RowValues(user);
            for (int e = 0; e < items.Length; e++)
            {
                float weight = weights[e] * fit.NeighborSums[items[e]];
                ReadOnlySpan<int> neighbors = fit.Graph.NeighborsOf(items[e]);
                ReadOnlySpan<float> similarities = fit.Graph.SimilaritiesOf(items[e]);
                for (int n = 0; n < neighbors.Length; n++)
                {
                    scores[neighbors[n]] += weight * similarities[n];
                }
            }
        }

        public override bool TrySimilarTo(int item, Span<float> scores) => fit.Graph.TryFill(item, scores);
    }
}
