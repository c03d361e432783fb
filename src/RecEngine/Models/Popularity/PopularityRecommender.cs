using RecEngine.Data;
using RecEngine.Persistence;

namespace RecEngine.Models.Popularity;

/// <summary>
/// Recommends the most popular items the user has not seen: the same list for everyone, optionally with time
/// decay so that recent interactions weigh more. The baseline every model must beat, and the fallback for users
/// that no model knows.
/// </summary>
/// <remarks>
/// <para>
/// Score of item <c>i</c>: <c>sum over interactions (u, i, t) of v(u, i) * 2^(-(t_max - t) / halfLife)</c>, where
/// <c>v</c> is 1 or the event weight (<see cref="PopularityOptions.Values"/>) and the decay factor is 1 without a
/// half-life. Fit is O(interactions + items log items); a top-N call is O(items).
/// </para>
/// <para><c>SimilarItems</c> returns the most popular other items. Thread safety: see <see cref="RecommenderBase"/>.</para>
/// </remarks>
public sealed class PopularityRecommender : RecommenderBase
{
    private readonly PopularityOptions _options;

    /// <summary>Creates the recommender.</summary>
    /// <param name="options">Options; <see langword="null"/> for the defaults (interaction counts, no decay).</param>
    /// <exception cref="ArgumentOutOfRangeException">The options are invalid.</exception>
    public PopularityRecommender(PopularityOptions? options = null)
    {
        _options = options ?? new PopularityOptions();
        _options.Validate();
    }

    /// <inheritdoc/>
    public override string Name => _options.HalfLife is null ? "popularity" : "popularity-decay";

    private protected override TrainedModel Train(InteractionDataset dataset, FitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var scores = new float[dataset.ItemCount];
        ReadOnlySpan<int> items = dataset.ItemIndices;
        ReadOnlySpan<float> values = _options.Values switch
        {
            MatrixValues.Weight => dataset.Weights,
            MatrixValues.Value => dataset.Values,
            _ => default,
        };
        ReadOnlySpan<long> timestamps = dataset.Timestamps;
        long latest = long.MinValue;
        foreach (long t in timestamps)
        {
            latest = Math.Max(latest, t);
        }

        double halfLifeMs = _options.HalfLife?.TotalMilliseconds ?? 0;
        for (int k = 0; k < items.Length; k++)
        {
            double value = values.IsEmpty ? 1.0 : values[k];
            if (halfLifeMs > 0)
            {
                value *= Math.Pow(2.0, -(latest - timestamps[k]) / halfLifeMs);
            }

            scores[items[k]] += (float)value;
        }

        progress?.Report(new TrainingProgress("popularity", 1, 1, double.NaN));
        return new PopularityModel(context, scores);
    }

    /// <summary>The kind under which model files store this recommender.</summary>
    internal const string Kind = "popularity";

    /// <inheritdoc/>
    internal override string StateKind => Kind;

    /// <inheritdoc/>
    internal override void WriteState(StateWriter writer, TrainedModel model)
    {
        _options.Write(writer);
        writer.WriteArray<float>(model.FallbackScores);
    }

    /// <summary>Reads a recommender written by <see cref="WriteState"/>.</summary>
    internal static PopularityRecommender ReadState(StateReader reader, FitContext context)
    {
        var recommender = new PopularityRecommender(PopularityOptions.Read(reader));
        recommender.Restore(new PopularityModel(context, reader.ReadFinite(context.ItemCount, "popularity score")));
        return recommender;
    }

    private sealed class PopularityModel(FitContext context, float[] scores) : TrainedModel(context)
    {
        public override float[] FallbackScores => scores;

        public override int[] FallbackOrder { get; } = FitContext.OrderByDescending(scores);

        public override void ScoreAll(int user, Span<float> destination) => scores.CopyTo(destination);

        public override void ScoreItems(int user, ReadOnlySpan<int> items, Span<float> destination)
        {
            for (int i = 0; i < items.Length; i++)
            {
                destination[i] = scores[items[i]];
            }
        }
    }
}
