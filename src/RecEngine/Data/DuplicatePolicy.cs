namespace RecEngine.Data;

/// <summary>How an interaction matrix combines several interactions of the same user with the same item.</summary>
public enum DuplicatePolicy
{
    /// <summary>Add their values (implicit feedback: three views weigh three times one view).</summary>
    Sum,

    /// <summary>
    /// Keep the value of the latest interaction by timestamp; among equal timestamps the one added last wins
    /// (explicit ratings: a re-rating replaces the old rating).
    /// </summary>
    LastWins,
}
