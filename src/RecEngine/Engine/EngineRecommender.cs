using RecEngine.Data;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RecEngine;

/// <summary>
/// The <see cref="IRecommender"/> an engine hands out for one of its models: it forwards every call to the model's
/// current instance, which a retrain replaces atomically, and records the duration of top-N calls
/// (<c>recengine.recommend.duration</c>, tag <c>model</c>) and an activity per top-N or similar-items call
/// (<c>recengine.recommend</c>, <c>recengine.similar</c>) when someone listens.
/// </summary>
internal sealed class EngineRecommender(string name, IRecommender current, EngineTelemetry telemetry) : IRecommender
{
    private readonly KeyValuePair<string, object?> _tag = new("model", name);
    private readonly Histogram<double> _duration = telemetry.RecommendDuration;
    private readonly ActivitySource _activities = telemetry.Activities;
    private IRecommender _current = current;

    /// <inheritdoc/>
    public string Name => name;

    /// <inheritdoc/>
    public bool IsFitted => true;

    /// <summary>The instance calls reach now.</summary>
    public IRecommender Current => Volatile.Read(ref _current);

    /// <summary>Makes <paramref name="next"/> the instance every later call reaches.</summary>
    public void Replace(IRecommender next) => Volatile.Write(ref _current, next);

    /// <summary>Not supported: the engine trains its models (<see cref="RecommendationEngine.RetrainAsync"/>).</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public void Fit(InteractionDataset dataset, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"Model '{name}' is trained by its engine; call RecommendationEngine.RetrainAsync to retrain it.");

    /// <inheritdoc/>
    public bool IsKnownUser(string userId) => Volatile.Read(ref _current).IsKnownUser(userId);

    /// <inheritdoc/>
    public int Recommend(string userId, Span<ScoredItem> destination, RecommendOptions? options = null)
    {
        using Activity? activity = Start("recengine.recommend", destination.Length);
        long start = _duration.Enabled ? Stopwatch.GetTimestamp() : 0;
        int count = Volatile.Read(ref _current).Recommend(userId, destination, options);
        Record(start);
        return count;
    }

    /// <inheritdoc/>
    public IReadOnlyList<ScoredItem> Recommend(string userId, int count, RecommendOptions? options = null)
    {
        using Activity? activity = Start("recengine.recommend", count);
        long start = _duration.Enabled ? Stopwatch.GetTimestamp() : 0;
        IReadOnlyList<ScoredItem> result = Volatile.Read(ref _current).Recommend(userId, count, options);
        Record(start);
        return result;
    }

    /// <inheritdoc/>
    public void Score(string userId, ReadOnlySpan<string> itemIds, Span<float> scores) => Volatile.Read(ref _current).Score(userId, itemIds, scores);

    /// <inheritdoc/>
    public int SimilarItems(string itemId, Span<ScoredItem> destination, RecommendOptions? options = null)
    {
        using Activity? activity = Start("recengine.similar", destination.Length);
        return Volatile.Read(ref _current).SimilarItems(itemId, destination, options);
    }

    /// <inheritdoc/>
    public IReadOnlyList<ScoredItem> SimilarItems(string itemId, int count, RecommendOptions? options = null)
    {
        using Activity? activity = Start("recengine.similar", count);
        return Volatile.Read(ref _current).SimilarItems(itemId, count, options);
    }

    /// <summary>An activity for one call, or null (no allocation) when nobody listens.</summary>
    private Activity? Start(string operation, int count)
    {
        if (!_activities.HasListeners())
        {
            return null;
        }

        Activity? activity = _activities.StartActivity(operation);
        activity?.SetTag("recengine.model", name);
        activity?.SetTag("recengine.count", count);
        return activity;
    }

    private void Record(long start)
    {
        if (start != 0)
        {
            _duration.Record(Stopwatch.GetElapsedTime(start).TotalMilliseconds, _tag);
        }
    }
}
