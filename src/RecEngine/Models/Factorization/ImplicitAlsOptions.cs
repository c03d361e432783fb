using RecEngine.Data;
using RecEngine.Persistence;

namespace RecEngine.Models.Factorization;

/// <summary>Options of <see cref="ImplicitAlsRecommender"/>. Validated when the recommender is created.</summary>
public sealed class ImplicitAlsOptions
{
    /// <summary>Number of latent factors k. The default is 64; multiples of 16 use the fastest kernels.</summary>
    public int Factors { get; set; } = 64;

    /// <summary>L2 regularisation λ added as λI to every normal equation (not scaled by counts). The default is 0.05.</summary>
    public float Regularization { get; set; } = 0.05f;

    /// <summary>
    /// Confidence weight α: an observed value r gives confidence <c>1 + α|r|</c> (Hu, Koren and Volinsky 2008, eq. 2).
    /// The default is 4. Note that some libraries call <c>1 + α</c> "alpha" when values are 1.
    /// </summary>
    public float Alpha { get; set; } = 4f;

    /// <summary>Number of alternating sweeps (users, then items). The default is 15.</summary>
    public int Iterations { get; set; } = 15;

    /// <summary>The per-row solver. The default is <see cref="AlsSolver.ConjugateGradient"/>.</summary>
    public AlsSolver Solver { get; set; } = AlsSolver.ConjugateGradient;

    /// <summary>Conjugate-gradient steps per row and sweep, with <see cref="AlsSolver.ConjugateGradient"/>. The default is 3.</summary>
    public int ConjugateGradientSteps { get; set; } = 3;

    /// <summary>
    /// Which number of each interaction is r: by default the event weight (<see cref="MatrixValues.Weight"/>);
    /// <see cref="MatrixValues.One"/> treats every interaction as one positive observation. Duplicates are summed.
    /// </summary>
    public MatrixValues Values { get; set; } = MatrixValues.Weight;

    /// <summary>Scale of the initial item factors, uniform in <c>[-scale, scale)</c> (zero-centred, so that unrelated items start in unrelated directions). The default is 0.01.</summary>
    public float InitialScale { get; set; } = 0.01f;

    /// <summary>Seed of the initial factors: the same seed and thread count give the same model. The default is 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Threads used for training; <see langword="null"/> (the default) means one per processor.</summary>
    public int? DegreeOfParallelism { get; set; }

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

        if (!float.IsFinite(Alpha) || Alpha < 0f)
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be a non-negative finite number.");
        }

        if (Iterations is < 0 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "Iterations must be in [0, 10000].");
        }

        if (!Enum.IsDefined(Solver))
        {
            throw new ArgumentOutOfRangeException(nameof(Solver), Solver, "Unknown solver.");
        }

        if (ConjugateGradientSteps is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(ConjugateGradientSteps), ConjugateGradientSteps, "ConjugateGradientSteps must be in [1, 1024].");
        }

        if (!Enum.IsDefined(Values))
        {
            throw new ArgumentOutOfRangeException(nameof(Values), Values, "Unknown matrix value kind.");
        }

        if (!float.IsFinite(InitialScale) || InitialScale <= 0f)
        {
            throw new ArgumentOutOfRangeException(nameof(InitialScale), InitialScale, "InitialScale must be a positive finite number.");
        }

        if (DegreeOfParallelism is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(DegreeOfParallelism), DegreeOfParallelism, "DegreeOfParallelism must be at least 1.");
        }
    }

    /// <summary>A copy, so later changes to these options do not reach a recommender made with them.</summary>
    internal ImplicitAlsOptions Clone() => (ImplicitAlsOptions)MemberwiseClone();

    /// <summary>Writes the options into saved state.</summary>
    internal void Write(StateWriter writer)
    {
        writer.Write(Factors);
        writer.Write(Regularization);
        writer.Write(Alpha);
        writer.Write(Iterations);
        writer.Write((int)Solver);
        writer.Write(ConjugateGradientSteps);
        writer.Write((int)Values);
        writer.Write(InitialScale);
        writer.Write(Seed);
        writer.WriteOptional(DegreeOfParallelism);
    }

    /// <summary>Reads options written by <see cref="Write"/>.</summary>
    internal static ImplicitAlsOptions Read(StateReader reader) => new()
    {
        Factors = reader.ReadInt32(),
        Regularization = reader.ReadSingle(),
        Alpha = reader.ReadSingle(),
        Iterations = reader.ReadInt32(),
        Solver = reader.ReadEnum<AlsSolver>("solver"),
        ConjugateGradientSteps = reader.ReadInt32(),
        Values = reader.ReadEnum<MatrixValues>("value kind"),
        InitialScale = reader.ReadSingle(),
        Seed = reader.ReadInt32(),
        DegreeOfParallelism = reader.ReadOptional<int>(),
    };
}
