using System.Collections.Concurrent;
using RecEngine.Data;

namespace RecEngine.Tests.Evaluation;

/// <summary>
/// A user-written <see cref="IRecommender"/> (not derived from RecEngine's base class) that delegates to another
/// model and records every <see cref="Score"/> request, to check what the evaluator asks for.
/// </summary>
internal sealed class RecordingRecommender(IRecommender inner) : IRecommender
{
    private readonly ConcurrentQueue<(string UserId, string[] ItemIds)> _scoreRequests = new();

    public IReadOnlyCollection<(string UserId, string[] ItemIds)> ScoreRequests => _scoreRequests;

    public string Name => "recording";

    public bool IsFitted => inner.IsFitted;

    public void Fit(InteractionDataset dataset, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        inner.Fit(dataset, progress, cancellationToken);

    public bool IsKnownUser(string userId) => inner.IsKnownUser(userId);

    public int Recommend(string userId, Span<ScoredItem> destination, RecommendOptions? options = null) =>
        inner.Recommend(userId, destination, options);

    public IReadOnlyList<ScoredItem> Recommend(string userId, int count, RecommendOptions? options = null) =>
        inner.Recommend(userId, count, options);

    public void Score(string userId, ReadOnlySpan<string> itemIds, Span<float> scores)
    {
        _scoreRequests.Enqueue((userId, itemIds.ToArray()));
        inner.Score(userId, itemIds, scores);
    }

    public int SimilarItems(string itemId, Span<ScoredItem> destination, RecommendOptions? options = null) =>
        inner.SimilarItems(itemId, destination, options);

    public IReadOnlyList<ScoredItem> SimilarItems(string itemId, int count, RecommendOptions? options = null) =>
        inner.SimilarItems(itemId, count, options);
}
