namespace RecEngine.Data;

/// <summary>
/// The type of a user event: one of the well-known kinds (<see cref="View"/>, <see cref="Click"/>,
/// <see cref="AddToCart"/>, <see cref="Purchase"/>, <see cref="Rating"/>) or any custom name.
/// <see cref="EventWeights"/> maps kinds to the weight an event contributes.
/// </summary>
/// <remarks>Kinds compare by name, ordinally. <c>default(EventKind)</c> is <see cref="Rating"/>.</remarks>
public readonly struct EventKind : IEquatable<EventKind>
{
    private const string RatingName = "rating";
    private readonly string? _name;

    /// <summary>Creates a kind with the given name.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty or white space.</exception>
    public EventKind(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _name = name;
    }

    /// <summary>The kind's name, for example <c>"view"</c>.</summary>
    public string Name => _name ?? RatingName;

    /// <summary>The user looked at an item.</summary>
    public static EventKind View { get; } = new("view");

    /// <summary>The user clicked an item.</summary>
    public static EventKind Click { get; } = new("click");

    /// <summary>The user put an item into a cart.</summary>
    public static EventKind AddToCart { get; } = new("add-to-cart");

    /// <summary>The user bought an item.</summary>
    public static EventKind Purchase { get; } = new("purchase");

    /// <summary>An explicit rating; the event's value is the rating. This is also the default kind.</summary>
    public static EventKind Rating { get; } = new(RatingName);

    /// <inheritdoc/>
    public bool Equals(EventKind other) => string.Equals(Name, other.Name, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is EventKind other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>Compares two kinds by name.</summary>
    public static bool operator ==(EventKind left, EventKind right) => left.Equals(right);

    /// <summary>Compares two kinds by name.</summary>
    public static bool operator !=(EventKind left, EventKind right) => !left.Equals(right);
}
