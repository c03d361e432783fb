namespace RecEngine.Models.Neural;

/// <summary>How a live neural scorer in an engine follows events (<see cref="EngineModel.Neural"/>).</summary>
public sealed class NeuralOnlineOptions
{
    /// <summary>
    /// Whether each event applies one stochastic gradient step: the event's (user, item) pair as a positive (a
    /// negative weight makes it a negative) and one uniformly drawn other item as a negative, binary cross-entropy
    /// through the network, whose weights stay fixed. Off, events only update the items each user has seen and the
    /// popularity fallback; new users keep the fallback until a retrain.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>The step size of the online updates.</summary>
    /// <value>The default value is 0.05.</value>
    public double LearningRate { get; set; } = 0.05;

    /// <summary>Whether the item embeddings take the step too (otherwise only the user's).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool UpdateItems { get; set; } = true;

    /// <summary>Seed of the drawn negatives.</summary>
    /// <value>The default value is 42.</value>
    public int Seed { get; set; } = 42;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The learning rate is not in (0, 10].</exception>
    public void Validate()
    {
        if (!(LearningRate is > 0 and <= 10))
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be in (0, 10].");
        }
    }

    /// <summary>Writes the options into saved state.</summary>
    internal void Write(Persistence.StateWriter writer)
    {
        writer.Write(Enabled);
        writer.Write(LearningRate);
        writer.Write(UpdateItems);
        writer.Write(Seed);
    }

    /// <summary>Reads options written by <see cref="Write"/> (not validated).</summary>
    internal static NeuralOnlineOptions Read(Persistence.StateReader reader) => new()
    {
        Enabled = reader.ReadBoolean(),
        LearningRate = reader.ReadDouble(),
        UpdateItems = reader.ReadBoolean(),
        Seed = reader.ReadInt32(),
    };
}
