using RecEngine.Data;
using RecEngine.Models.Baseline;
using RecEngine.Persistence;

namespace RecEngine.Models.Neighborhood;

/// <summary>
/// What a neighbourhood model learns from one dataset: the interaction matrix of the top-N weights, the neighbour
/// graph (of items or of users), and the ratings with their baseline for rating prediction.
/// </summary>
internal sealed class NeighborhoodFit
{
    private NeighborhoodFit(InteractionMatrix matrix, NeighborGraph graph, float[] rowSums, InteractionMatrix ratings, BaselineBiases baseline, int predictionNeighbors)
    {
        Matrix = matrix;
        Graph = graph;
        NeighborSums = rowSums;
        Ratings = ratings;
        Baseline = baseline;
        PredictionNeighbors = predictionNeighbors;
    }

    /// <summary>Users by items with the values of <see cref="NeighborhoodOptions.Values"/>: the top-N weights.</summary>
    public InteractionMatrix Matrix { get; }

    /// <summary>Neighbours of every item (item-kNN) or user (user-kNN).</summary>
    public NeighborGraph Graph { get; }

    /// <summary>Per row of <see cref="Graph"/>, the factor top-N applies to its similarities: 1, or 1 / their sum when normalising.</summary>
    public float[] NeighborSums { get; }

    /// <summary>Users by items with ratings (latest wins), for rating prediction.</summary>
    public InteractionMatrix Ratings { get; }

    public BaselineBiases Baseline { get; }

    public int PredictionNeighbors { get; }

    /// <summary>Fits on <paramref name="dataset"/>; <paramref name="itemBased"/> chooses whose neighbours are computed.</summary>
    /// <exception cref="ArgumentException">A weighting is configured and a value is negative.</exception>
    public static NeighborhoodFit Build(InteractionDataset dataset, NeighborhoodOptions options, bool itemBased, CancellationToken cancellationToken)
    {
        DuplicatePolicy duplicates = options.Values == MatrixValues.Weight ? DuplicatePolicy.Sum : DuplicatePolicy.LastWins;
        var matrix = InteractionMatrix.Build(dataset, options.Values, duplicates);
        if (options.Weighting != NeighborWeighting.None && matrix.Values.IndexOfAnyInRange(float.NegativeInfinity, -float.Epsilon) >= 0)
        {
            throw new ArgumentException($"Weighting {options.Weighting} needs non-negative values; the dataset has negative {options.Values} values.", nameof(dataset));
        }

        (SparseRows rows, SparseRows transposed) = itemBased ? (matrix.ByItem, matrix.ByUser) : (matrix.ByUser, matrix.ByItem);
        (rows, transposed) = RowWeighting.Apply(rows, transposed, options.Weighting, options.Bm25K1, options.Bm25B);
        NeighborGraph graph = SimilarityBuilder.Build(
            rows, transposed, options.Measure, options.Shrinkage, options.Neighbors,
            options.DegreeOfParallelism ?? Environment.ProcessorCount, cancellationToken);
        var factors = new float[graph.Count];
        for (int r = 0; r < factors.Length; r++)
        {
            float sum = 0;
            foreach (float s in graph.SimilaritiesOf(r))
            {
                sum += s;
            }

            factors[r] = options.NormalizeSimilarities && sum > 0 ? 1f / sum : 1f;
        }

        InteractionMatrix ratings = options.Values == MatrixValues.Value
            ? matrix
            : InteractionMatrix.Build(dataset, MatrixValues.Value, DuplicatePolicy.LastWins);
        var baseline = BaselineBiases.Fit(ratings, options.Baseline, progress: null, cancellationToken);
        return new NeighborhoodFit(matrix, graph, factors, ratings, baseline, options.PredictionNeighbors);
    }

    /// <summary>
    /// The neighbourhood rating estimate (Koren 2010, §2.2; Surprise's KNNBaseline): b_ui plus the similarity-weighted
    /// mean of the residuals r − b of the k most similar neighbours that have a rating to use. Item-based: neighbours
    /// of item i among the items user u rated; user-based: neighbours of user u among the users who rated item i.
    /// Without such a neighbour it is b_ui.
    /// </summary>
    /// <param name="user">The user's index, or −1 when unknown.</param>
    /// <param name="item">The item's index, or −1 when unknown.</param>
    /// <param name="itemBased">Whether <see cref="Graph"/> holds item neighbours (otherwise user neighbours).</param>
    public double Predict(int user, int item, bool itemBased)
    {
        double estimate = Baseline.Estimate(user, item);
        if (user < 0 || item < 0)
        {
            return Baseline.Clip(estimate);
        }

        int anchor = itemBased ? item : user;
        ReadOnlySpan<int> known = itemBased ? Ratings.RowColumns(user) : Ratings.ColumnRows(item);
        ReadOnlySpan<float> knownRatings = itemBased ? Ratings.RowValues(user) : Ratings.ColumnValuesOf(item);
        ReadOnlySpan<int> neighbors = Graph.NeighborsOf(anchor);
        ReadOnlySpan<float> similarities = Graph.SimilaritiesOf(anchor);
        double weighted = 0, total = 0;
        int used = 0;
        for (int n = 0; n < neighbors.Length && used < PredictionNeighbors; n++)
        {
            int at = known.BinarySearch(neighbors[n]);
            if (at < 0)
            {
                continue;
            }

            double residual = knownRatings[at] - (itemBased ? Baseline.Estimate(user, neighbors[n]) : Baseline.Estimate(neighbors[n], item));
            weighted += similarities[n] * residual;
            total += similarities[n];
            used++;
        }

        return Baseline.Clip(total > 0 ? estimate + (weighted / total) : estimate);
    }

    /// <summary>Writes the fit into saved state (the options are written by the recommender).</summary>
    public void Write(StateWriter writer)
    {
        writer.WriteMatrix(Matrix);
        Graph.Write(writer);
        writer.WriteArray<float>(NeighborSums);
        bool shared = ReferenceEquals(Ratings, Matrix);
        writer.Write(shared);
        if (!shared)
        {
            writer.WriteMatrix(Ratings);
        }

        Baseline.Write(writer);
    }

    /// <summary>Reads a fit written by <see cref="Write"/>, for the shape of <paramref name="context"/>.</summary>
    public static NeighborhoodFit Read(StateReader reader, FitContext context, NeighborhoodOptions options, bool itemBased)
    {
        int users = context.UserCount, items = context.ItemCount;
        InteractionMatrix matrix = reader.ReadMatrix(users, items, "weight");
        int rows = itemBased ? items : users;
        NeighborGraph graph = NeighborGraph.Read(reader, rows, itemBased ? "item" : "user");
        float[] sums = reader.ReadFinite(rows, "neighbour weight");
        InteractionMatrix ratings = reader.ReadBoolean() ? matrix : reader.ReadMatrix(users, items, "rating");
        BaselineBiases baseline = BaselineBiases.Read(reader, users, items);
        return new NeighborhoodFit(matrix, graph, sums, ratings, baseline, options.PredictionNeighbors);
    }
}
