using RecEngine.Data;

namespace RecEngine;

/// <summary>
/// The <see cref="IRecommender"/> face of a live model: it serves whatever version the model last showed it, with
/// the whole contract of <see cref="RecommenderBase"/> (exclusions, filters, fallback, ties). It is not fitted: the
/// live model it belongs to follows events.
/// </summary>
internal sealed class LiveRecommender(string name) : RecommenderBase
{
    /// <inheritdoc/>
    public override string Name => name;

    /// <summary>Makes <paramref name="version"/> the one every later call reads (one atomic write).</summary>
    public void Show(TrainedModel version) => Publish(version);

    private protected override TrainedModel Train(InteractionDataset dataset, FitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"The live '{name}' model follows events and is not fitted; fit its source model and start a new live model from it.");
}
