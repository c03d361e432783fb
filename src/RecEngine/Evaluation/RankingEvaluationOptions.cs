namespace RecEngine.Evaluation;

/// <summary>Options of <see cref="RankingEvaluator"/>.</summary>
public sealed class RankingEvaluationOptions
{
    /// <summary>The cut-off k of every metric (HR@k, NDCG@k, ...): the length of the recommendation list.</summary>
    /// <value>The default value is 10.</value>
    public int K { get; set; } = 10;

    /// <summary>Full ranking over the catalog, or ranking against sampled negatives.</summary>
    /// <value>The default value is <see cref="EvaluationProtocol.Full"/>.</value>
    public EvaluationProtocol Protocol { get; set; } = EvaluationProtocol.Full;

    /// <summary>
    /// Number of negative items sampled per test interaction in the <see cref="EvaluationProtocol.Sampled"/>
    /// protocol (He et al. 2017 use 99, so the held-out item is ranked among 100). Ignored by the full protocol.
    /// </summary>
    /// <value>The default value is 99.</value>
    public int NegativeSampleCount { get; set; } = 99;

    /// <summary>Seed of the negative sampling; the same seed gives the same negatives for every thread count.</summary>
    /// <value>The default value is 0.</value>
    public int Seed { get; set; }

    /// <summary>
    /// Most users evaluated at the same time; -1 lets the thread pool decide. Results do not depend on it. Use 1 for a
    /// recommender that is not safe for concurrent calls (RecEngine's models are).
    /// </summary>
    /// <value>The default value is -1.</value>
    public int MaxDegreeOfParallelism { get; set; } = -1;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range, naming the property.</exception>
    public void Validate()
    {
        if (K < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(K), K, "The cut-off must be at least 1.");
        }

        if (!Enum.IsDefined(Protocol))
        {
            throw new ArgumentOutOfRangeException(nameof(Protocol), Protocol, "Unknown evaluation protocol.");
        }

        if (NegativeSampleCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(NegativeSampleCount), NegativeSampleCount, "At least one negative item is needed.");
        }

        if (MaxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "The degree of parallelism must be -1 or at least 1.");
        }
    }

    /// <summary>Writes the options into saved state.</summary>
    internal void Write(Persistence.StateWriter writer)
    {
        writer.Write(K);
        writer.Write((int)Protocol);
        writer.Write(NegativeSampleCount);
        writer.Write(Seed);
        writer.Write(MaxDegreeOfParallelism);
    }

    /// <summary>Reads options written by <see cref="Write"/> (the caller validates them).</summary>
    internal static RankingEvaluationOptions Read(Persistence.StateReader reader) => new()
    {
        K = reader.ReadInt32(),
        Protocol = reader.ReadEnum<EvaluationProtocol>("evaluation protocol"),
        NegativeSampleCount = reader.ReadInt32(),
        Seed = reader.ReadInt32(),
        MaxDegreeOfParallelism = reader.ReadInt32(),
    };
}
