using RecEngine.Data;

namespace RecEngine.Models.Neighborhood;

/// <summary>Options of <see cref="ItemKnnRecommender"/>. Validated when the recommender is created.</summary>
public sealed class ItemKnnOptions
{
    /// <summary>The similarity measure. The default is <see cref="SimilarityMeasure.Cosine"/>.</summary>
    public SimilarityMeasure Measure { get; set; } = SimilarityMeasure.Cosine;

    /// <summary>Neighbours kept per item (K): memory is O(items · K). The default is 20.</summary>
    public int Neighbors { get; set; } = 20;

    /// <summary>
    /// Significance shrinkage β: a similarity computed from n common users is multiplied by n / (n + β), so pairs
    /// supported by few users count less. 0 (the default) turns it off.
    /// </summary>
    public float Shrinkage { get; set; }

    /// <summary>
    /// Which number of each interaction enters the similarity and the user's weights: by default 1 per
    /// interaction (<see cref="MatrixValues.One"/>, usual for implicit feedback); <see cref="MatrixValues.Value"/>
    /// uses ratings and <see cref="MatrixValues.Weight"/> event weights. Repeated weights are summed; repeated ratings
    /// or ones keep the latest.
    /// </summary>
    public MatrixValues Values { get; set; } = MatrixValues.One;

    /// <summary>Threads used to build the similarities; <see langword="null"/> (the default) means one per processor.</summary>
    public int? DegreeOfParallelism { get; set; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the exception names the property.</exception>
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

        if (DegreeOfParallelism is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(DegreeOfParallelism), DegreeOfParallelism, "DegreeOfParallelism must be at least 1.");
        }
    }
}
