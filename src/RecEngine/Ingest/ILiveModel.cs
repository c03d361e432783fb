using RecEngine.Persistence;

namespace RecEngine.Ingest;

/// <summary>
/// A model that follows events: the ingest side applies micro-batches (one writer), and <see cref="Recommender"/>
/// serves the latest version it published to any number of readers.
/// </summary>
internal interface ILiveModel : IEventApplier
{
    /// <summary>Serves the latest published version.</summary>
    IRecommender Recommender { get; }

    /// <summary>
    /// The state the interactions applied so far do not determine, for a snapshot; <see langword="null"/> (the
    /// default) for a model that a start from those interactions rebuilds exactly. Called between micro-batches.
    /// </summary>
    SavedState? CaptureState() => null;
}
