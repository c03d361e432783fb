namespace RecEngine.Data.Synthetic;

/// <summary>What kind of feedback the synthetic generator emits.</summary>
public enum SyntheticFeedback
{
    /// <summary>
    /// Explicit star ratings (<see cref="EventKind.Rating"/>, values 1 to 5 in whole stars), at most one per
    /// (user, item) pair, like MovieLens.
    /// </summary>
    Ratings,

    /// <summary>
    /// Implicit events (<see cref="EventKind.View"/>, <see cref="EventKind.Click"/>, <see cref="EventKind.AddToCart"/>,
    /// <see cref="EventKind.Purchase"/>, each with value 1), where a user may return to an item many times and
    /// deeper kinds are likelier the more the user likes the item, like an e-commerce clickstream.
    /// </summary>
    ImplicitEvents,
}
