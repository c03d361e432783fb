using RecEngine.Models.Factorization;

namespace RecEngine.Models.Neural;

/// <summary>The loss the neural scorer is trained with.</summary>
public enum NeuralLoss
{
    /// <summary>Binary cross-entropy: positives labelled 1, sampled negatives 0 (pointwise, as in NCF).</summary>
    BinaryCrossEntropy,

    /// <summary>Bayesian personalised ranking: each positive should score above a sampled negative (pairwise).</summary>
    Bpr,
}

/// <summary>How negatives are drawn for training.</summary>
public enum NegativeSampling
{
    /// <summary>Uniformly among the items the user has not interacted with.</summary>
    Uniform,

    /// <summary>
    /// In proportion to item popularity raised to <see cref="NeuralOptions.PopularityExponent"/> (word2vec's
    /// 0.75 by default), among the items the user has not interacted with: harder negatives.
    /// </summary>
    Popularity,
}

/// <summary>Options of <see cref="NeuralRecommender"/>. Validated when the recommender is created.</summary>
public sealed class NeuralOptions
{
    /// <summary>Width of the user and item embeddings.</summary>
    /// <value>The default value is 32.</value>
    public int EmbeddingSize { get; set; } = 32;

    /// <summary>Widths of the hidden layers (ReLU), first to last; at least one.</summary>
    /// <value>The default value is [64, 32].</value>
    public IReadOnlyList<int> HiddenLayers { get; set; } = [64, 32];

    /// <summary>
    /// Whether the element-wise product of the user and item embeddings is an input too (the generalised matrix
    /// factorisation part of NeuMF), which lets the network express dot-product preferences directly.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool IncludeProduct { get; set; } = true;

    /// <summary>Whether the items' categories (multi-hot, up to <see cref="MaxCategories"/> most frequent) are inputs.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool UseContent { get; set; } = true;

    /// <summary>Most categories used as content inputs (the most frequent in the catalog).</summary>
    /// <value>The default value is 64.</value>
    public int MaxCategories { get; set; } = 64;

    /// <summary>
    /// Whether context inputs are used: the user's interaction count and counts per event kind, the item's
    /// popularity and the age of its latest interaction (all log-scaled).
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool UseContext { get; set; } = true;

    /// <summary>The training loss.</summary>
    /// <value>The default value is <see cref="NeuralLoss.BinaryCrossEntropy"/>.</value>
    public NeuralLoss Loss { get; set; } = NeuralLoss.BinaryCrossEntropy;

    /// <summary>How negatives are drawn.</summary>
    /// <value>The default value is <see cref="NegativeSampling.Uniform"/>.</value>
    public NegativeSampling Negatives { get; set; } = NegativeSampling.Uniform;

    /// <summary>Negatives drawn per positive each epoch (for BPR, pairs per positive).</summary>
    /// <value>The default value is 4.</value>
    public int NegativesPerPositive { get; set; } = 4;

    /// <summary>The exponent of popularity in <see cref="NegativeSampling.Popularity"/>.</summary>
    /// <value>The default value is 0.75.</value>
    public double PopularityExponent { get; set; } = 0.75;

    /// <summary>Most passes over the training pairs.</summary>
    /// <value>The default value is 20.</value>
    public int Epochs { get; set; } = 20;

    /// <summary>Examples per mini-batch.</summary>
    /// <value>The default value is 256.</value>
    public int BatchSize { get; set; } = 256;

    /// <summary>Adam's learning rate.</summary>
    /// <value>The default value is 0.002.</value>
    public double LearningRate { get; set; } = 0.002;

    /// <summary>Decoupled weight decay of the network's weights and of the embeddings (AdamW).</summary>
    /// <value>The default value is 0.0001.</value>
    public double WeightDecay { get; set; } = 1e-4;

    /// <summary>
    /// Share of the training pairs held out to decide when to stop: after each epoch the loss on them (against
    /// negatives drawn once) is measured, and training stops after <see cref="Patience"/> epochs without
    /// improvement, keeping the best epoch's parameters. 0 trains all <see cref="Epochs"/> on every pair.
    /// </summary>
    /// <value>The default value is 0.05.</value>
    public double ValidationFraction { get; set; } = 0.05;

    /// <summary>Epochs without a better validation loss before training stops.</summary>
    /// <value>The default value is 2.</value>
    public int Patience { get; set; } = 2;

    /// <summary>
    /// When set, implicit ALS is fitted first with these options (its <c>Factors</c> set to
    /// <see cref="EmbeddingSize"/>) and its factors initialise the embeddings; otherwise they start small and random.
    /// ALS sees all the training data, including the pairs held out for early stopping, so with it the validation loss
    /// is slightly optimistic.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public ImplicitAlsOptions? InitializeFromAls { get; set; }

    /// <summary>Seed of the initialisation, the negatives and the shuffles.</summary>
    /// <value>The default value is 42.</value>
    public int Seed { get; set; } = 42;

    /// <summary>Threads for training; <see langword="null"/> for all processors. Results are the same for the same seed and thread count.</summary>
    public int? DegreeOfParallelism { get; set; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the exception names the property.</exception>
    public void Validate()
    {
        Check(EmbeddingSize is >= 1 and <= 1024, nameof(EmbeddingSize), EmbeddingSize, "must be in [1, 1024]");
        Check(HiddenLayers is { Count: >= 1 and <= 8 } && HiddenLayers.All(w => w is >= 1 and <= 4096), nameof(HiddenLayers), HiddenLayers, "must hold 1 to 8 widths in [1, 4096]");
        Check(MaxCategories is >= 0 and <= 10_000, nameof(MaxCategories), MaxCategories, "must be in [0, 10000]");
        Check(Enum.IsDefined(Loss), nameof(Loss), Loss, "is not a known loss");
        Check(Enum.IsDefined(Negatives), nameof(Negatives), Negatives, "is not a known sampling");
        Check(NegativesPerPositive is >= 1 and <= 100, nameof(NegativesPerPositive), NegativesPerPositive, "must be in [1, 100]");
        Check(PopularityExponent is >= 0 and <= 2, nameof(PopularityExponent), PopularityExponent, "must be in [0, 2]");
        Check(Epochs is >= 1 and <= 10_000, nameof(Epochs), Epochs, "must be in [1, 10000]");
        Check(BatchSize is >= 1 and <= 65_536, nameof(BatchSize), BatchSize, "must be in [1, 65536]");
        Check(LearningRate is > 0 and <= 1, nameof(LearningRate), LearningRate, "must be in (0, 1]");
        Check(WeightDecay is >= 0 and < 1, nameof(WeightDecay), WeightDecay, "must be in [0, 1)");
        Check(ValidationFraction is >= 0 and < 0.5, nameof(ValidationFraction), ValidationFraction, "must be in [0, 0.5)");
        Check(Patience is >= 1 and <= 1_000, nameof(Patience), Patience, "must be in [1, 1000]");
        Check(DegreeOfParallelism is null or >= 1, nameof(DegreeOfParallelism), DegreeOfParallelism, "must be at least 1");
        InitializeFromAls?.Validate();
    }

    /// <summary>Writes the options into saved state.</summary>
    internal void Write(Persistence.StateWriter writer)
    {
        writer.Write(EmbeddingSize);
        writer.WriteArray<int>([.. HiddenLayers]);
        writer.Write(IncludeProduct);
        writer.Write(UseContent);
        writer.Write(MaxCategories);
        writer.Write(UseContext);
        writer.Write((int)Loss);
        writer.Write((int)Negatives);
        writer.Write(NegativesPerPositive);
        writer.Write(PopularityExponent);
        writer.Write(Epochs);
        writer.Write(BatchSize);
        writer.Write(LearningRate);
        writer.Write(WeightDecay);
        writer.Write(ValidationFraction);
        writer.Write(Patience);
        writer.Write(InitializeFromAls is not null);
        InitializeFromAls?.Write(writer);
        writer.Write(Seed);
        writer.WriteOptional(DegreeOfParallelism);
    }

    /// <summary>Reads options written by <see cref="Write"/>.</summary>
    internal static NeuralOptions Read(Persistence.StateReader reader) => new()
    {
        EmbeddingSize = reader.ReadInt32(),
        HiddenLayers = reader.ReadArray<int>("hidden layer"),
        IncludeProduct = reader.ReadBoolean(),
        UseContent = reader.ReadBoolean(),
        MaxCategories = reader.ReadInt32(),
        UseContext = reader.ReadBoolean(),
        Loss = reader.ReadEnum<NeuralLoss>("loss"),
        Negatives = reader.ReadEnum<NegativeSampling>("negative sampling"),
        NegativesPerPositive = reader.ReadInt32(),
        PopularityExponent = reader.ReadDouble(),
        Epochs = reader.ReadInt32(),
        BatchSize = reader.ReadInt32(),
        LearningRate = reader.ReadDouble(),
        WeightDecay = reader.ReadDouble(),
        ValidationFraction = reader.ReadDouble(),
        Patience = reader.ReadInt32(),
        InitializeFromAls = reader.ReadBoolean() ? ImplicitAlsOptions.Read(reader) : null,
        Seed = reader.ReadInt32(),
        DegreeOfParallelism = reader.ReadOptional<int>(),
    };

    /// <summary>A copy (the hidden layers copied too), so later changes to these options do not reach a recommender.</summary>
    internal NeuralOptions Clone()
    {
        var copy = (NeuralOptions)MemberwiseClone();
        copy.HiddenLayers = [.. HiddenLayers];
        return copy;
    }

    private static void Check(bool valid, string name, object? value, string rule)
    {
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} {rule}.");
        }
    }
}
