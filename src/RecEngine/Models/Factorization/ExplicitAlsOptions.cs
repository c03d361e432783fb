using RecEngine.Persistence;
namespace RecEngine.Models.Factorization;

/// <summary>Options of <see cref="ExplicitAlsRecommender"/>. Validated when the recommender is created.</summary>
public sealed class ExplicitAlsOptions
{
    /// <summary>Number of latent factors k. The default is 64.</summary>
    /// <remarks>
    /// The defaults (64 factors, λ 0.1, λ_b 0.07, 10 sweeps) come from a validation split of MovieLens 100K
    /// training data; ratings data of another scale may want a different λ (see the factorisation docs).
    /// </remarks>
    public int Factors { get; set; } = 64;

    /// <summary>
    /// Regularisation λ of the factors, scaled per row by its number of ratings as in ALS-WR (Zhou et al. 2008):
    /// a user with n ratings is penalised <c>λ n ‖x_u‖²</c>. The default is 0.1.
    /// </summary>
    public float Regularization { get; set; } = 0.1f;

    /// <summary>Regularisation of the user and item biases, also scaled by the row's count. The default is 0.07.</summary>
    public float BiasRegularization { get; set; } = 0.07f;

    /// <summary>Whether to model the global mean and user and item biases. The default is <see langword="true"/>.</summary>
    public bool UseBiases { get; set; } = true;

    /// <summary>Number of alternating sweeps. The default is 10.</summary>
    public int Iterations { get; set; } = 10;

    /// <summary>Scale of the initial item factors, uniform in <c>[-scale, scale)</c>. The default is 0.1.</summary>
    public float InitialScale { get; set; } = 0.1f;

    /// <summary>Predictions are clamped to this range, for example a 1-5 star scale; <see langword="null"/> (the default) means no clamping.</summary>
    public (float Min, float Max)? RatingRange { get; set; }

    /// <summary>Seed of the initial factors. The default is 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Threads used for training; <see langword="null"/> (the default) means one per processor.</summary>
    public int? DegreeOfParallelism { get; set; }

    internal ExplicitAlsOptions Clone() => (ExplicitAlsOptions)MemberwiseClone();

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the exception names the property.</exception>
    public void Validate()
    {
        if (Factors is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(Factors), Factors, "Factors must be in [1, 1024].");
        }

        if (!float.IsFinite(Regularization) || Regularization <= 0f)
        {
            throw new ArgumentOutOfRangeException(nameof(Regularization), Regularization, "Regularization must be a positive finite number.");
        }

        if (!float.IsFinite(BiasRegularization) || BiasRegularization <= 0f)
        {
            throw new ArgumentOutOfRangeException(nameof(BiasRegularization), BiasRegularization, "BiasRegularization must be a positive finite number.");
        }

        if (Iterations is < 0 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "Iterations must be in [0, 10000].");
        }

        if (!float.IsFinite(InitialScale) || InitialScale <= 0f)
        {
            throw new ArgumentOutOfRangeException(nameof(InitialScale), InitialScale, "InitialScale must be a positive finite number.");
        }

        if (RatingRange is { } range && !(float.IsFinite(range.Min) && float.IsFinite(range.Max) && range.Min < range.Max))
        {
            throw new ArgumentOutOfRangeException(nameof(RatingRange), RatingRange, "RatingRange must be finite with Min < Max.");
        }

        if (DegreeOfParallelism is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(DegreeOfParallelism), DegreeOfParallelism, "DegreeOfParallelism must be at least 1.");
        }
    }

    /// <summary>Writes the options into saved state.</summary>
    internal void Write(StateWriter writer)
    {
        writer.Write(Factors);
        writer.Write(Regularization);
        writer.Write(BiasRegularization);
        writer.Write(UseBiases);
        writer.Write(Iterations);
        writer.Write(InitialScale);
        writer.Write(RatingRange is not null);
        writer.Write(RatingRange?.Min ?? 0f);
        writer.Write(RatingRange?.Max ?? 0f);
        writer.Write(Seed);
        writer.WriteOptional(DegreeOfParallelism);
    }

    /// <summary>Reads options written by <see cref="Write"/>.</summary>
    internal static ExplicitAlsOptions Read(StateReader reader) => new()
    {
        Factors = reader.ReadInt32(),
        Regularization = reader.ReadSingle(),
        BiasRegularization = reader.ReadSingle(),
        UseBiases = reader.ReadBoolean(),
        Iterations = reader.ReadInt32(),
        InitialScale = reader.ReadSingle(),
        RatingRange = (reader.ReadBoolean(), reader.ReadSingle(), reader.ReadSingle()) is (true, float min, float max) ? (min, max) : null,
        Seed = reader.ReadInt32(),
        DegreeOfParallelism = reader.ReadOptional<int>(),
    };
}
