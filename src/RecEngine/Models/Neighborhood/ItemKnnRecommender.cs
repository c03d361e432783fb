using RecEngine.Data;

namespace RecEngine.Models.Neighborhood;

/// <summary>
/// Item-based collaborative filtering for top-N ("people who liked this also liked"): every item keeps its K most
/// similar items, and a user's score for item j is Σ_{i ∈ I_u} w_ui · sim(i, j) over the user's items i that have j
/// among their neighbours, with w_ui the user's value for i.
/// </summary>
/// <remarks>
/// <para>
/// Fit builds the neighbour graph with a multi-threaded sparse product (<see cref="SimilarityMeasure"/> documents the
/// measures). Memory is O(items · K). A top-N call costs O(|I_u| · K + items). <c>SimilarItems</c> returns the
/// item's stored neighbours; an item without neighbours falls back to popularity.
/// </para>
/// <para>Thread safety: see <see cref="RecommenderBase"/>.</para>
/// </remarks>
public sealed class ItemKnnRecommender : RecommenderBase
{
    private readonly ItemKnnOptions _options;

    /// <summary>Creates the recommender.</summary>
    /// <param name="options">Options; <see langword="null"/> for the defaults (cosine, K = 20, no shrinkage).</param>
    /// <exception cref="ArgumentOutOfRangeException">The options are invalid.</exception>
    public ItemKnnRecommender(ItemKnnOptions? options = null)
    {
        _options = options ?? new ItemKnnOptions();
        _options.Validate();
    }

    /// <inheritdoc/>
    public override string Name => "item-knn";

    private protected override TrainedModel Train(InteractionDataset dataset, FitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        DuplicatePolicy duplicates = _options.Values == MatrixValues.Weight ? DuplicatePolicy.Sum : DuplicatePolicy.LastWins;
        var matrix = InteractionMatrix.Build(dataset, _options.Values, duplicates);
        NeighborGraph graph = SimilarityBuilder.Build(
            matrix.ByItem, matrix.ByUser, _options.Measure, _options.Shrinkage, _options.Neighbors,
            _options.DegreeOfParallelism ?? Environment.ProcessorCount, cancellationToken);
        progress?.Report(new TrainingProgress("item-knn", 1, 1, double.NaN));
        return new ItemKnnModel(context, matrix, graph);
    }

    private sealed class ItemKnnModel(FitContext context, InteractionMatrix matrix, NeighborGraph graph) : TrainedModel(context)
    {
        public override void ScoreAll(int user, Span<float> scores)
        {
            scores.Clear();
            ReadOnlySpan<int> items = matrix.RowColumns(user);
            ReadOnlySpan<float> weights = matrix.RowValues(user);
            for (int e = 0; e < items.Length; e++)
            {
                float weight = weights[e];
                ReadOnlySpan<int> neighbors = graph.NeighborsOf(items[e]);
                ReadOnlySpan<float> similarities = graph.SimilaritiesOf(items[e]);
                for (int n = 0; n < neighbors.Length; n++)
                {
                    scores[neighbors[n]] += weight * similarities[n];
                }
            }
        }

        public override bool TrySimilarTo(int item, Span<float> scores)
        {
            ReadOnlySpan<int> neighbors = graph.NeighborsOf(item);
            if (neighbors.IsEmpty)
            {
                return false;
            }

            scores.Fill(float.NaN);
            ReadOnlySpan<float> similarities = graph.SimilaritiesOf(item);
            for (int n = 0; n < neighbors.Length; n++)
            {
                scores[neighbors[n]] = similarities[n];
            }

            return true;
        }
    }
}
