namespace RecEngine.Models.Popularity;

/// <summary>
/// Item scores with their ranking (score descending, ties by lower index) kept up to date as scores change: an item
/// whose score changed moves past its neighbours, O(distance moved). Used by the live models for popularity.
/// </summary>
/// <remarks>One writer at a time; <see cref="Publish"/> returns copies that readers may keep.</remarks>
internal sealed class PopularityRanking
{
    private double[] _scores = [];
    private int[] _order = [];
    private int[] _position = [];
    private int _count;

    /// <summary>Starts from <paramref name="scores"/> (for example a fit's interaction counts).</summary>
    public PopularityRanking(ReadOnlySpan<float> scores)
    {
        Grow(scores.Length);
        for (int item = 0; item < scores.Length; item++)
        {
            _scores[item] = scores[item];
        }

        Reorder();
    }

    /// <summary>Items ranked.</summary>
    public int Count => _count;

    /// <summary>Adds <paramref name="amount"/> to the score of <paramref name="item"/> (created, with the items before it, if new).</summary>
    public void Add(int item, double amount)
    {
        Grow(item + 1);
        _scores[item] += amount;
        Reposition(item);
    }

    /// <summary>
    /// Adds <paramref name="amount"/> to the score of an item already ranked without moving it: the order is stale
    /// until <see cref="Reorder"/>. For a bulk start, where one sort costs O(n log n) and moving each item on each
    /// addition could cost O(n) per addition.
    /// </summary>
    public void AddUnordered(int item, double amount)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)item, (uint)_count, nameof(item));
        _scores[item] += amount;
    }

    /// <summary>Multiplies every score by <paramref name="factor"/>, then sorts again (scores may have collapsed into ties).</summary>
    public void Scale(double factor)
    {
        for (int i = 0; i < _count; i++)
        {
            _scores[i] *= factor;
        }

        Reorder();
    }

    /// <summary>Adds items with score 0 up to <paramref name="count"/> items.</summary>
    public void Grow(int count)
    {
        if (count <= _count)
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

        // A new item scores 0: appended last and moved into place, which keeps the order exact even with negatives.
        for (int item = _count; item < count; item++)
        {
            _order[item] = item;
            _position[item] = item;
            _count = item + 1;
            Reposition(item);
        }
    }

    /// <summary>Copies of the scores (times <paramref name="scale"/>, in single precision) and of the ranking.</summary>
    public (float[] Scores, int[] Order) Publish(double scale = 1.0)
    {
        var scores = new float[_count];
        for (int i = 0; i < scores.Length; i++)
        {
            scores[i] = (float)(_scores[i] * scale);
        }

        return (scores, _order.AsSpan(0, _count).ToArray());
    }

    /// <summary>Sorts the items again by score (descending, ties by lower index), as after <see cref="AddUnordered"/>.</summary>
    public void Reorder()
    {
        Array.Sort(_order, 0, _count, Comparer<int>.Create((a, b) => Before(a, b) ? -1 : Before(b, a) ? 1 : 0));
        for (int at = 0; at < _count; at++)
        {
            _position[_order[at]] = at;
        }
    }

    private void Reposition(int item)
    {
        int at = _position[item];
        while (at > 0 && Before(item, _order[at - 1]))
        {
            Swap(at, at - 1);
            at--;
        }

        while (at + 1 < _count && Before(_order[at + 1], item))
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
}
