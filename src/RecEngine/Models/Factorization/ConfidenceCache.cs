namespace RecEngine.Models.Factorization;

/// <summary>
/// A bounded least-recently-used cache of users' confidence terms Σᵢ α|rᵤᵢ| yᵢ yᵢᵀ (the upper triangle of a k × k
/// matrix, in double precision so that rank-one updates do not accumulate float rounding over a long-lived active
/// user), the part of the implicit-ALS normal equations that costs O(n k²) to build from a history of n items.
/// While the item factors stay as they are, an event changes a user's terms by one rank-one term (O(k²)), so a
/// cached user's exact re-solve costs O(n k + k³) (the right-hand side and a Cholesky factorisation) instead of
/// O(n k² + k³). Any change of the item
/// factors makes every entry stale: <see cref="Clear"/>.
/// </summary>
/// <remarks>One writer thread; <see cref="Acquire"/> happens before parallel solves fill or read the arrays.</remarks>
internal sealed class ConfidenceCache
{
    private readonly int _k;
    private readonly int _capacity;
    private readonly Dictionary<int, LinkedListNode<(int User, double[] Terms)>> _byUser = [];
    private readonly LinkedList<(int User, double[] Terms)> _recency = new();
    private readonly Stack<double[]> _free = new();

    /// <summary>Creates a cache of at most <paramref name="bytes"/> of terms (at least one user) for k = <paramref name="k"/>.</summary>
    public ConfidenceCache(int k, long bytes)
    {
        _k = k;
        _capacity = (int)Math.Clamp(bytes / ((long)k * k * sizeof(double)), 1, int.MaxValue);
    }

    /// <summary>Users the cache can hold.</summary>
    public int Capacity => _capacity;

    /// <summary>Users held now.</summary>
    public int Count => _byUser.Count;

    /// <summary>The cached terms of <paramref name="user"/>, made most recently used; null when not cached.</summary>
    public double[]? Find(int user)
    {
        if (!_byUser.TryGetValue(user, out LinkedListNode<(int User, double[] Terms)>? node))
        {
            return null;
        }

        _recency.Remove(node);
        _recency.AddFirst(node);
        return node.Value.Terms;
    }

    /// <summary>
    /// The terms array for <paramref name="user"/>: the cached one (<paramref name="cached"/> true), or a zeroed one
    /// now held for the user, evicting the least recently used user when full (the caller must fill it).
    /// </summary>
    public double[] Acquire(int user, out bool cached)
    {
        if (Find(user) is { } terms)
        {
            cached = true;
            return terms;
        }

        if (_byUser.Count >= _capacity)
        {
            LinkedListNode<(int User, double[] Terms)> oldest = _recency.Last!;
            _recency.RemoveLast();
            _byUser.Remove(oldest.Value.User);
            _free.Push(oldest.Value.Terms);
        }

        terms = _free.TryPop(out double[]? reused) ? reused : new double[_k * _k];
        Array.Clear(terms);
        _byUser[user] = _recency.AddFirst((user, terms));
        cached = false;
        return terms;
    }

    /// <summary>Forgets <paramref name="user"/> (terms that could not be completed).</summary>
    public void Remove(int user)
    {
        if (_byUser.Remove(user, out LinkedListNode<(int User, double[] Terms)>? node))
        {
            _recency.Remove(node);
            _free.Push(node.Value.Terms);
        }
    }

    /// <summary>Forgets every user (the item factors changed); the arrays are kept for reuse.</summary>
    public void Clear()
    {
        foreach ((int _, double[] terms) in _recency)
        {
            _free.Push(terms);
        }

        _byUser.Clear();
        _recency.Clear();
    }
}
