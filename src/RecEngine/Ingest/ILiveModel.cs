namespace RecEngine.Ingest;

/// <summary>
/// A model that follows events: the ingest side applies micro-batches (one writer), and <see cref="Recommender"/>
/// serves the latest version it published to any number of readers.
/// </summary>
internal interface ILiveModel : IEventApplier
{
    /// <summary>Serves the latest published version.</summary>
    IRecommender Recommender { get; }
}
