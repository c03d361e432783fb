namespace RecEngine;

/// <summary>One recommended item and its score: higher is better. Scores are comparable only within one model.</summary>
/// <param name="ItemId">The caller's item id.</param>
/// <param name="Score">The model's score for the item.</param>
public readonly record struct ScoredItem(string ItemId, float Score);
