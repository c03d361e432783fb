using RecEngine.Data;
using RecEngine.Ingest;

namespace RecEngine.Models.Popularity;

/// <summary>
/// Popularity that follows events in real time: the score of <see cref="PopularityRecommender"/> (the sum of each
/// item's event values, optionally decayed by a half-life), kept up to date per micro-batch, with new users and new
/// items appearing on their first event. <see cref="Recommender"/> serves the latest published version; known users
/// do not get the items they have seen.
/// </summary>
/// <remarks>
/// <para>
/// <b>Decay without rescans</b>: a score is kept relative to a reference time t0 as Σ v · 2^((t − t0) / h); every
/// score then shares the factor 2^((t0 − t_latest) / h) at publication, which does not change the order. When the
/// exponent grows large the reference moves forward and all scores are rescaled once.
/// </para>
/// <para>
/// <b>Order</b>: <see cref="PopularityRanking"/> keeps the ranking (score descending, ties by lower index) by moving
/// an item whose score changed past its neighbours; a version copies the scores and the order, O(items).
/// </para>
/// <para>The writer side (<see cref="Apply"/>) is single-threaded, as the ingest pipeline calls it.</para>
/// </remarks>
internal sealed class LivePopularity : ILiveModel
{
    private const double RebaseExponent = 60;

    private readonly PopularityOptions _options;
    private readonly LiveServing _serving;
    private readonly PopularityRanking _ranking = new([]);
    private long _reference = long.MinValue;
    private long _latest = long.MinValue;

    /// <summary>Starts from the interactions of <paramref name="dataset"/> (the same scores as a fit on it).</summary>
    public LivePopularity(InteractionDataset dataset, PopularityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        _options = options ?? new PopularityOptions();
        _options.Validate();
        _serving = new LiveServing(_options.HalfLife is null ? "popularity" : "popularity-decay", FitContext.Create(dataset), countPopularity: false);
        _ranking.Grow(dataset.ItemCount);
        ReadOnlySpan<float> values = _options.Values switch
        {
            MatrixValues.Weight => dataset.Weights,
            MatrixValues.Value => dataset.Values,
            _ => default,
        };
        // Summed in row order (the scores of a fit), sorted once at the end.
        for (int row = 0; row < dataset.Count; row++)
        {
            _ranking.AddUnordered(dataset.ItemIndices[row], Weigh(values.IsEmpty ? 1f : values[row], dataset.Timestamps[row]));
        }

        _ranking.Reorder();
        Publish(dataset.UserCount);
    }

    /// <summary>Serves the latest published version.</summary>
    public IRecommender Recommender => _serving.Recommender;

    /// <summary>Adds the batch's events to the scores and the users' seen items, then publishes one version.</summary>
    public void Apply(ReadOnlySpan<WeightedEvent> batch)
    {
        foreach (WeightedEvent e in batch)
        {
            int item = _serving.Items.GetOrAdd(e.Event.ItemId);
            int user = _serving.Users.GetOrAdd(e.Event.UserId);
            _ranking.Grow(item + 1);
            _ranking.Add(item, Weigh(e.ValueFor(_options.Values), e.Event.Timestamp.ToUnixTimeMilliseconds()));
            _serving.Observe(user, item);
        }

        Publish(_serving.UserRows);
    }

    /// <summary>The score an event of <paramref name="value"/> at <paramref name="timestamp"/> adds (decayed relative to the reference, which a rebase may move first).</summary>
    private double Weigh(float value, long timestamp)
    {
        double halfLife = _options.HalfLife?.TotalMilliseconds ?? 0;
        double weight = value;
        if (halfLife > 0)
        {
            if (_reference == long.MinValue)
            {
                _reference = timestamp;
            }

            double exponent = (timestamp - _reference) / halfLife;
            if (exponent > RebaseExponent)
            {
                // Move the reference to this event: every score shrinks by the same factor. Scores that were far
                // apart can round to the same value (or to 0), so the ranking sorts again. Rebases are rare.
                _ranking.Scale(Math.Pow(2.0, -exponent));
                _reference = timestamp;
                exponent = 0;
            }

            weight *= Math.Pow(2.0, exponent);
        }

        _latest = Math.Max(_latest, timestamp);
        return weight;
    }

    private void Publish(int users)
    {
        double halfLife = _options.HalfLife?.TotalMilliseconds ?? 0;
        double scale = halfLife > 0 && _reference != long.MinValue ? Math.Pow(2.0, (_reference - _latest) / halfLife) : 1.0;
        (float[] scores, int[] order) = _ranking.Publish(scale);
        _serving.Show(users, _ranking.Count, context => new Snapshot(context, scores), (scores, order));
    }

    private sealed class Snapshot(FitContext context, float[] scores) : TrainedModel(context)
    {
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
