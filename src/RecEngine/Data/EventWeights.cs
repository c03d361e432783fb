namespace RecEngine.Data;

/// <summary>
/// Maps event kinds to the weight one event of that kind contributes to the interaction matrix.
/// </summary>
/// <remarks>
/// <para>
/// An event's weight is <c>Weight(kind) * value</c>. Non-rating events usually carry value 1, so their weight is
/// the kind's weight; a <see cref="EventKind.Rating"/> event has kind weight 1 by default, so its weight is the rating.
/// </para>
/// <para>The defaults are view 1, click 2, add-to-cart 4, purchase 8, rating 1 (times the rating value).</para>
/// <para>Not thread-safe for writes: configure it before handing it to a builder or an engine.</para>
/// </remarks>
public sealed class EventWeights
{
    private readonly Dictionary<EventKind, float> _weights = new()
    {
        [EventKind.View] = 1f,
        [EventKind.Click] = 2f,
        [EventKind.AddToCart] = 4f,
        [EventKind.Purchase] = 8f,
        [EventKind.Rating] = 1f,
    };

    /// <summary>
    /// When true (the default), a kind with no configured weight is an error; when false it weighs
    /// <see cref="DefaultWeight"/>.
    /// </summary>
    public bool RejectUnknownKinds { get; set; } = true;

    /// <summary>Weight of a kind with no configured weight when <see cref="RejectUnknownKinds"/> is false. Default 1.</summary>
    public float DefaultWeight { get; set; } = 1f;

    /// <summary>The configured kinds and their weights.</summary>
    public IReadOnlyDictionary<EventKind, float> Weights => _weights;

    /// <summary>Sets the weight of <paramref name="kind"/>. Negative weights express negative feedback (for example a dislike).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weight"/> is NaN or infinite.</exception>
    public EventWeights Set(EventKind kind, float weight)
    {
        if (!float.IsFinite(weight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, $"The weight of event kind '{kind}' must be a finite number.");
        }

        _weights[kind] = weight;
        return this;
    }

    /// <summary>Looks up the weight of one event of <paramref name="kind"/> with value 1.</summary>
    /// <returns><see langword="false"/> when the kind is unknown and <see cref="RejectUnknownKinds"/> is set.</returns>
    public bool TryGetWeight(EventKind kind, out float weight)
    {
        if (_weights.TryGetValue(kind, out weight))
        {
            return true;
        }

        weight = DefaultWeight;
        return !RejectUnknownKinds;
    }

    /// <summary>Weight of one event: the kind's weight times <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">The kind is unknown and <see cref="RejectUnknownKinds"/> is set.</exception>
    public float WeightOf(EventKind kind, float value)
    {
        if (!TryGetWeight(kind, out float weight))
        {
            throw new ArgumentException($"Event kind '{kind}' has no configured weight.", nameof(kind));
        }

        return weight * value;
    }
}
