namespace RecEngine.Evaluation;

/// <summary>
/// What a temporal split does with test interactions of users who have no interaction in the training set
/// (users who first appear after the cutoff).
/// </summary>
public enum ColdStartUsers
{
    /// <summary>
    /// Keep them in the test set: evaluators evaluate these users like any other, and the model answers with its
    /// documented fallback for unknown users (the most popular training items for RecEngine's models). The split
    /// partitions the data exactly. This is the default: it measures what a deployed model would serve.
    /// </summary>
    Evaluate,

    /// <summary>
    /// Drop them from the test set, so only users the model has seen are evaluated (what libraries that evaluate
    /// only users present in training report). Their interactions are then in neither part.
    /// </summary>
    Skip,
}
