namespace RecEngine.Data;

/// <summary>One user event on an item, in the caller's own ids.</summary>
/// <param name="UserId">The caller's id of the user; not null or empty.</param>
/// <param name="ItemId">The caller's id of the item; not null or empty.</param>
/// <param name="Value">The event's value: the rating for <see cref="EventKind.Rating"/>, usually 1 for other kinds.</param>
/// <param name="Timestamp">When the event happened.</param>
/// <param name="Kind">The event type; <c>default</c> is <see cref="EventKind.Rating"/>.</param>
public readonly record struct Interaction(string UserId, string ItemId, float Value, DateTimeOffset Timestamp, EventKind Kind = default);
