using RecEngine.Data;
using RecEngine.Persistence;

namespace RecEngine.Ingest;

/// <summary>Options of event ingestion: the queue, micro-batches, event weights and the checks every event passes. Validated when the engine starts.</summary>
public sealed class IngestOptions
{
    /// <summary>Events the queue holds before <see cref="FullQueuePolicy"/> applies. The default is 65,536.</summary>
    public int QueueCapacity { get; set; } = 65_536;

    /// <summary>What a submission does when the queue is full. The default is <see cref="Ingest.FullQueuePolicy.Wait"/>.</summary>
    public FullQueuePolicy FullQueuePolicy { get; set; } = FullQueuePolicy.Wait;

    /// <summary>
    /// The most events applied together (a micro-batch). The default is 4,096: the consumer takes only what is queued,
    /// so batches are small under light load and large under heavy load, where a user with several events in one
    /// batch is re-solved once (live ALS user fold-in on the MovieLens-1M shape: 31,800 events/s with 512, 76,200
    /// with 4,096).
    /// </summary>
    public int MaxBatchSize { get; set; } = 4_096;

    /// <summary>Maps event kinds to weights (view 1, click 2, add-to-cart 4, purchase 8, rating = value by default).</summary>
    public EventWeights Weights { get; set; } = new();

    /// <summary>
    /// Whether events of negative weight (a dislike, a removal from the cart) are accepted; they lower the item for
    /// that user. The default is true.
    /// </summary>
    public bool AllowNegativeWeights { get; set; } = true;

    /// <summary>The longest user or item id accepted, in UTF-16 code units. The default is 256.</summary>
    public int MaxIdLength { get; set; } = 256;

    /// <summary>
    /// The most distinct users the engine takes events for, or <see langword="null"/> (the default) for no cap. An
    /// event of a new user past it is rejected on submission with <see cref="EventRejectionReason.TooManyUsers"/>;
    /// users already known keep being served and updated. Users of the starting interactions count. A cap costs one
    /// set entry per user (about 50 bytes plus the id).
    /// </summary>
    public int? MaxUsers { get; set; }

    /// <summary>
    /// The most distinct items the engine takes events for, or <see langword="null"/> (the default) for no cap. An
    /// event of a new item past it is rejected on submission with <see cref="EventRejectionReason.TooManyItems"/>.
    /// Items of the starting interactions count.
    /// </summary>
    public int? MaxItems { get; set; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the exception names the property.</exception>
    /// <exception cref="ArgumentNullException"><see cref="Weights"/> is null.</exception>
    public void Validate()
    {
        if (QueueCapacity is < 1 or > 1 << 26)
        {
            throw new ArgumentOutOfRangeException(nameof(QueueCapacity), QueueCapacity, "QueueCapacity must be in [1, 67108864].");
        }

        if (!Enum.IsDefined(FullQueuePolicy))
        {
            throw new ArgumentOutOfRangeException(nameof(FullQueuePolicy), FullQueuePolicy, "Unknown full-queue policy.");
        }

        if (MaxBatchSize is < 1 or > 1 << 20)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "MaxBatchSize must be in [1, 1048576].");
        }

        ArgumentNullException.ThrowIfNull(Weights);
        if (MaxIdLength is < 1 or > 1 << 16)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIdLength), MaxIdLength, "MaxIdLength must be in [1, 65536].");
        }

        if (MaxUsers is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxUsers), MaxUsers, "MaxUsers must be at least 1, or null for no cap.");
        }

        if (MaxItems is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxItems), MaxItems, "MaxItems must be at least 1, or null for no cap.");
        }
    }

    /// <summary>Checks one event and computes its weight; never throws.</summary>
    /// <returns><see cref="EventRejectionReason.None"/> when the event may be applied.</returns>
    internal EventRejectionReason Check(in Interaction interaction, out float weight)
    {
        weight = 0;
        if (string.IsNullOrEmpty(interaction.UserId))
        {
            return EventRejectionReason.EmptyUserId;
        }

        if (string.IsNullOrEmpty(interaction.ItemId))
        {
            return EventRejectionReason.EmptyItemId;
        }

        string kind = interaction.Kind.Name;
        if (interaction.UserId.Length > MaxIdLength || interaction.ItemId.Length > MaxIdLength || kind.Length > MaxIdLength)
        {
            return EventRejectionReason.IdTooLong;
        }

        if (!WellFormed(interaction.UserId) || !WellFormed(interaction.ItemId) || !WellFormed(kind))
        {
            return EventRejectionReason.MalformedText;
        }

        if (!Weights.TryGetWeight(interaction.Kind, out float kindWeight))
        {
            return EventRejectionReason.UnknownKind;
        }

        weight = kindWeight * interaction.Value;
        if (!float.IsFinite(interaction.Value) || !float.IsFinite(weight))
        {
            return EventRejectionReason.NonFiniteValue;
        }

        return weight < 0 && !AllowNegativeWeights ? EventRejectionReason.NegativeWeight : EventRejectionReason.None;
    }

    /// <summary>Whether every surrogate in <paramref name="text"/> is part of a pair (so UTF-8 can store it).</summary>
    internal static bool WellFormed(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes the options into saved state (the weights with them).</summary>
    internal void Write(StateWriter writer)
    {
        writer.Write(QueueCapacity);
        writer.Write((int)FullQueuePolicy);
        writer.Write(MaxBatchSize);
        writer.Write(AllowNegativeWeights);
        writer.Write(MaxIdLength);
        writer.WriteOptional(MaxUsers);
        writer.WriteOptional(MaxItems);
        writer.Write(Weights.RejectUnknownKinds);
        writer.Write(Weights.DefaultWeight);
        writer.Write(Weights.Weights.Count);
        foreach ((EventKind kind, float weight) in Weights.Weights)
        {
            writer.Write(kind.Name);
            writer.Write(weight);
        }
    }

    /// <summary>Reads options written by <see cref="Write"/> (not validated; the weights must be finite).</summary>
    internal static IngestOptions Read(StateReader reader)
    {
        var options = new IngestOptions
        {
            QueueCapacity = reader.ReadInt32(),
            FullQueuePolicy = reader.ReadEnum<FullQueuePolicy>("full-queue policy"),
            MaxBatchSize = reader.ReadInt32(),
            AllowNegativeWeights = reader.ReadBoolean(),
            MaxIdLength = reader.ReadInt32(),
            MaxUsers = reader.ReadOptional<int>(),
            MaxItems = reader.ReadOptional<int>(),
        };
        options.Weights.RejectUnknownKinds = reader.ReadBoolean();
        options.Weights.DefaultWeight = reader.ReadFiniteSingle("default event weight");
        int count = reader.ReadCount(1 + sizeof(float), "event weight");
        for (int k = 0; k < count; k++)
        {
            string name = reader.ReadString();
            if (string.IsNullOrWhiteSpace(name))
            {
                throw reader.Invalid("has an event weight of an empty event kind.");
            }

            options.Weights.Set(new EventKind(name), reader.ReadFiniteSingle("event weight"));
        }

        return options;
    }
}
