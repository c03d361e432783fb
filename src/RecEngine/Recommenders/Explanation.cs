namespace RecEngine;

/// <summary>One of the user's items and how much it contributes to a recommendation's score.</summary>
/// <param name="ItemId">An item from the user's history.</param>
/// <param name="Contribution">Its additive share of the score.</param>
public readonly record struct ItemContribution(string ItemId, float Contribution);

/// <summary>
/// Why an item was recommended to a user: the score decomposed into additive contributions of the user's own
/// items, largest first. Any model that can decompose its scores this way returns one.
/// </summary>
/// <param name="ItemId">The recommended item.</param>
/// <param name="Score">The score the contributions add up to.</param>
/// <param name="Contributions">The user's items that contribute most, largest first.</param>
public sealed record Explanation(string ItemId, float Score, IReadOnlyList<ItemContribution> Contributions);
