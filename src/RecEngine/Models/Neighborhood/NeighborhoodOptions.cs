using RecEngine.Data;
using RecEngine.Models.Baseline;
using RecEngine.Persistence;

namespace RecEngine.Models.Neighborhood;

/// <summary>
/// Options of the neighbourhood recommenders (<see cref="ItemKnnRecommender"/>, <see cref="UserKnnRecommender"/>).
/// Validated when a recommender is created.
/// </summary>
public sealed class NeighborhoodOptions
{
    /// <summary>The similarity measure. The default is <see cref="SimilarityMeasure.Cosine"/>.</summary>
    public SimilarityMeasure Measure { get; set; } = SimilarityMeasure.Cosine;

    /// <summary>Neighbours kept per item (item-kNN) or per user (user-kNN), K: memory is O(rows · K). The default is 20.</summary>
    public int Neighbors { get; set; } = 20;

    /// <summary>
    /// Significance shrinkage β: a similarity computed from n common entries is multiplied by n / (n + β), so pairs
    /// supported by few users (or items) count less. 0 (the default) turns it off.
    /// </summary>
    public float Shrinkage { get; set; }

    /// <summary>
    /// Which number of each interaction enters the similarity and the top-N weights: by default 1 per interaction
    /// (<see cref="MatrixValues.One"/>, usual for implicit feedback); <see cref="MatrixValues.Value"/> uses ratings and
    /// <see cref="MatrixValues.Weight"/> event weights. Repeated weights are summed; repeated ratings or ones keep the
    /// latest.
    /// </summary>
    public MatrixValues Values { get; set; } = MatrixValues.One;

    /// <summary>
    /// Re-weighting of the values before the similarity is computed (see <see cref="NeighborWeighting"/>). The
    /// default is none.
    /// </summary>
    public NeighborWeighting Weighting { get; set; } = NeighborWeighting.None;

    /// <summary>BM25 term saturation k1 (with <see cref="NeighborWeighting.Bm25"/>). The default is 1.2.</summary>
    public double Bm25K1 { get; set; } = 1.2;

    /// <summary>BM25 length normalisation b in [0, 1] (with <see cref="NeighborWeighting.Bm25"/>). The default is 0.75.</summary>
    public double Bm25B { get; set; } = 0.75;

    /// <summary>
    /// Top-N only: divide each neighbour list's similarities by their sum before scoring (Deshpande and Karypis
    /// 2004), so that items with many strong neighbours do not dominate every list. Off by default. It does not
    /// change user-kNN rankings (every term of a user's scores shares one list).
    /// </summary>
    public bool NormalizeSimilarities { get; set; }

    /// <summary>
    /// Rating prediction only: the most similar neighbours (among those with a rating to use) that enter the
    /// weighted average, k. The default is 40, as Surprise's KNNBaseline. Keep <see cref="Neighbors"/> at least this
    /// large: candidates come from the stored lists.
    /// </summary>
    public int PredictionNeighbors { get; set; } = 40;

    /// <summary>The baseline predictor b_ui = μ + b_u + b_i that rating prediction corrects; its defaults by default.</summary>
    public BaselineOptions Baseline { get; set; } = new();

    /// <summary>Threads used to build the similarities; <see langword="null"/> (the default) means one per processor.</summary>
    public int? DegreeOfParallelism { get; set; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the exception names the property.</exception>
    /// <exception cref="ArgumentNullException"><see cref="Baseline"/> is null.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Measure))
        {
            throw new ArgumentOutOfRangeException(nameof(Measure), Measure, "Unknown similarity measure.");
        }

        if (Neighbors is < 1 or > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Neighbors), Neighbors, "Neighbors must be in [1, 100000].");
        }

        if (!float.IsFinite(Shrinkage) || Shrinkage < 0f)
        {
            throw new ArgumentOutOfRangeException(nameof(Shrinkage), Shrinkage, "Shrinkage must be a non-negative finite number.");
        }

        if (!Enum.IsDefined(Values))
        {
            throw new ArgumentOutOfRangeException(nameof(Values), Values, "Unknown matrix value kind.");
        }

        if (!Enum.IsDefined(Weighting))
        {
            throw new ArgumentOutOfRangeException(nameof(Weighting), Weighting, "Unknown weighting.");
        }

        if (!double.IsFinite(Bm25K1) || Bm25K1 < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Bm25K1), Bm25K1, "Bm25K1 must be a non-negative finite number.");
        }

        if (!(Bm25B is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Bm25B), Bm25B, "Bm25B must be in [0, 1].");
        }

        if (PredictionNeighbors < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(PredictionNeighbors), PredictionNeighbors, "PredictionNeighbors must be at least 1.");
        }

        ArgumentNullException.ThrowIfNull(Baseline);
        Baseline.Validate();
        if (DegreeOfParallelism is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(DegreeOfParallelism), DegreeOfParallelism, "DegreeOfParallelism must be at least 1.");
        }
    }

    /// <summary>Writes the options into saved state.</summary>
    internal void Write(StateWriter writer)
    {
        writer.Write((int)Measure);
        writer.Write(Neighbors);
        writer.Write(Shrinkage);
        writer.Write((int)Values);
        writer.Write((int)Weighting);
        writer.Write(Bm25K1);
        writer.Write(Bm25B);
        writer.Write(NormalizeSimilarities);
        writer.Write(PredictionNeighbors);
        Baseline.Write(writer);
        writer.WriteOptional(DegreeOfParallelism);
    }

    /// <summary>Reads options written by <see cref="Write"/>.</summary>
    internal static NeighborhoodOptions Read(StateReader reader) => new()
    {
        Measure = reader.ReadEnum<SimilarityMeasure>("similarity measure"),
        Neighbors = reader.ReadInt32(),
        Shrinkage = reader.ReadSingle(),
        Values = reader.ReadEnum<MatrixValues>("value kind"),
        Weighting = reader.ReadEnum<NeighborWeighting>("weighting"),
        Bm25K1 = reader.ReadDouble(),
        Bm25B = reader.ReadDouble(),
        NormalizeSimilarities = reader.ReadBoolean(),
        PredictionNeighbors = reader.ReadInt32(),
        Baseline = BaselineOptions.Read(reader),
        DegreeOfParallelism = reader.ReadOptional<int>(),
    };
}
