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
/// <b>Order</b>: the ranking (score descending, ties by lower index) is maintained by moving an item whose score
/// changed past its neighbours, O(distance moved); a version copies the scores and the order, O(items).
/// </para>
/// <para>The writer side (<see cref="Apply"/>) is single-threaded, as the ingest pipeline calls it.</para>
/// </remarks>
internal sealed class LivePopularity : IEventApplier
{
    private const double RebaseExponent = 60;

    private readonly PopularityOptions _options;
    private readonly IdMap _users;
    private readonly IdMap _items;
    private readonly ChunkedLists _seen;
    private readonly LiveRecommender _server;
    private double[] _scores = [];
    private int[] _order = [];
    private int[] _position = [];
    private int _itemCount;
    private long _reference = long.MinValue;
    private long _latest = long.MinValue;

    /// <summary>Starts from the interactions of <paramref name="dataset"/> (the same scores as a fit on it).</summary>
    public LivePopularity(InteractionDataset dataset, PopularityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        _options = options ?? new PopularityOptions();
        _options.Validate();
        _users = dataset.Users.Clone();
        _items = dataset.Items.Clone();
        _seen = new ChunkedLists(SeenItems.Of(InteractionMatrix.Build(dataset, MatrixValues.One, DuplicatePolicy.LastWins)), dataset.UserCount);
        GrowItems(dataset.ItemCount);
        ReadOnlySpan<float> values = _options.Values switch
        {
            MatrixValues.Weight => dataset.Weights,
            MatrixValues.Value => dataset.Values,
            _ => default,
        };
        for (int row = 0; row < dataset.Count; row++)
        {
            Add(dataset.ItemIndices[row], values.IsEmpty ? 1f : values[row], dataset.Timestamps[row]);
        }

        _server = new LiveRecommender(_options.HalfLife is null ? "popularity" : "popularity-decay");
        Publish(dataset.UserCount);
    }

    /// <summary>Serves the latest published version.</summary>
    public IRecommender Recommender => _server;

    /// <summary>Adds the batch's events to the scores and the users' seen items, then publishes one version.</summary>
    public void Apply(ReadOnlySpan<WeightedEvent> batch)
    {
        int users = _seen.Count;
        foreach (WeightedEvent e in batch)
        {
            int item = _items.GetOrAdd(e.Event.ItemId);
            int user = _users.GetOrAdd(e.Event.UserId);
            GrowItems(item + 1);
            float value = _options.Values switch
            {
                MatrixValues.Weight => e.Weight,
                MatrixValues.Value => e.Event.Value,
                _ => 1f,
            };
            Add(item, value, e.Event.Timestamp.ToUnixTimeMilliseconds());
            _seen.Add(user, item);
            users = Math.Max(users, user + 1);
        }

        Publish(users);
    }

    private void Add(int item, float value, long timestamp)
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
                // Move the reference to this event: every score shrinks by the same factor (the order stays).
                double factor = Math.Pow(2.0, -exponent);
                for (int i = 0; i < _itemCount; i++)
                {
                    _scores[i] *= factor;
                }

                _reference = timestamp;
                exponent = 0;

                // Scores that were far apart can now round to the same value (or to 0): sort again so that ties
                // go by index, as a fit would order them. Rebases are rare.
                Array.Sort(_order, 0, _itemCount, Comparer<int>.Create((a, b) => Before(a, b) ? -1 : Before(b, a) ? 1 : 0));
                for (int at = 0; at < _itemCount; at++)
                {
                    _position[_order[at]] = at;
                }
            }

            weight *= Math.Pow(2.0, exponent);
        }

        _latest = Math.Max(_latest, timestamp);
        _scores[item] += weight;
        Reposition(item);
    }

    /// <summary>Moves <paramref name="item"/> to its place in the order after its score changed.</summary>
    private void Reposition(int item)
    {
        int at = _position[item];
        while (at > 0 && Before(item, _order[at - 1]))
        {
            Swap(at, at - 1);
            at--;
        }

        while (at + 1 < _itemCount && Before(_order[at + 1], item))
        {
            Swap(at, at + 1);
            at++;
        }
    }

    private bool Before(int a, int b) => _scores[a] > _scores[b] || (_scores[a] == _scores[b] && a < b);

    private void Swap(int a, int b)
    {
        (_order[a], _order[b]) = (_order[b], _order[a]);
        _position[_order[a]] = a;
        _position[_order[b]] = b;
    }

    private void GrowItems(int count)
    {
        if (count <= _itemCount)
        {
            return;
        }

        if (count > _scores.Length)
        {
            int capacity = Math.Max(count, _scores.Length * 2);
            Array.Resize(ref _scores, capacity);
            Array.Resize(ref _order, capacity);
            Array.Resize(ref _position, capacity);
        }

        // New items score 0: after every item with a positive score, by index among the zeros. Appending them at
        // the end and moving each into place keeps the order exact even when negative scores exist.
        for (int item = _itemCount; item < count; item++)
        {
            _order[item] = item;
            _position[item] = item;
            _itemCount = item + 1;
            Reposition(item);
        }
    }

    private void Publish(int users)
    {
        double halfLife = _options.HalfLife?.TotalMilliseconds ?? 0;
        double scale = halfLife > 0 && _reference != long.MinValue ? Math.Pow(2.0, (_reference - _latest) / halfLife) : 1.0;
        var scores = new float[_itemCount];
        for (int i = 0; i < scores.Length; i++)
        {
            scores[i] = (float)(_scores[i] * scale);
        }

        int[] order = _order.AsSpan(0, _itemCount).ToArray();
        var context = new FitContext(_users, _items, users, _itemCount, _seen.Publish(), scores, order);
        _server.Show(new Snapshot(context, scores));
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
