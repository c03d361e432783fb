using RecEngine.Data;
using RecEngine.Ingest;

namespace RecEngine;

/// <summary>
/// Every interaction an engine knows: the ones it started from, then every applied event, in order. A retrain takes
/// a dataset of it (<see cref="Snapshot"/>), and reads the events that arrived while it trained (<see cref="Read"/>).
/// Columnar arrays that double when full (32 bytes per interaction); ids are kept once, in the history's own maps.
/// </summary>
/// <remarks>
/// Thread safety: one writer appends; snapshots and reads may run on other threads. They serialise on one lock, held
/// by an append, by a read (one batch of rows) and by a snapshot for the copy of the id maps only.
/// </remarks>
internal sealed class EventHistory
{
    private readonly Lock _lock = new();
    private IdMap _users;
    private readonly IdMap _items;
    private readonly ItemCatalog _catalog;
    private int[] _userIndices;
    private int[] _itemIndices;
    private float[] _values;
    private float[] _weights;
    private long[] _timestamps;
    private EventKind[] _kinds;
    private int _count;

    /// <summary>Starts from the interactions of <paramref name="start"/>, with copies of its id maps.</summary>
    public EventHistory(InteractionDataset start)
    {
        _users = start.Users.Clone();
        _items = start.Items.Clone();
        _catalog = start.Catalog;
        _userIndices = start.UserIndices.ToArray();
        _itemIndices = start.ItemIndices.ToArray();
        _values = start.Values.ToArray();
        _weights = start.Weights.ToArray();
        _timestamps = start.Timestamps.ToArray();
        _kinds = start.Kinds.ToArray();
        _count = start.Count;
    }

    /// <summary>Interactions so far.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Appends applied events, in order.</summary>
    /// <exception cref="InvalidOperationException">The history would exceed the largest array .NET allows.</exception>
    public void Append(ReadOnlySpan<WeightedEvent> batch)
    {
        lock (_lock)
        {
            EnsureCapacity(_count + (long)batch.Length);
            foreach (WeightedEvent e in batch)
            {
                _userIndices[_count] = _users.GetOrAdd(e.Event.UserId);
                _itemIndices[_count] = _items.GetOrAdd(e.Event.ItemId);
                _values[_count] = e.Event.Value;
                _weights[_count] = e.Weight;
                _timestamps[_count] = e.Event.Timestamp.ToUnixTimeMilliseconds();
                _kinds[_count] = e.Event.Kind;
                _count++;
            }
        }
    }

    /// <summary>
    /// Removes every interaction of the users in <paramref name="userIds"/> and their ids: the other users keep their
    /// order (so their indices are those of a history that never had the removed users), the items keep theirs.
    /// Frozen moments taken before keep the old rows; appends after see the new ones.
    /// </summary>
    /// <returns>How many of the ids the history knew, and how many interactions were removed.</returns>
    public (int Users, int Interactions) Remove(IReadOnlySet<string> userIds)
    {
        lock (_lock)
        {
            var removed = new bool[_users.Count];
            int users = 0;
            foreach (string id in userIds)
            {
                if (_users.TryGetIndex(id, out int index))
                {
                    removed[index] = true;
                    users++;
                }
            }

            if (users == 0)
            {
                return (0, 0);
            }

            // Dense new indices for the users that stay, in their old order.
            var remap = new int[removed.Length];
            var kept = new IdMap(removed.Length - users);
            for (int user = 0; user < removed.Length; user++)
            {
                remap[user] = removed[user] ? -1 : kept.GetOrAdd(_users.GetId(user));
            }

            // New arrays, never the old ones compacted in place: a frozen moment may still be copying their prefix.
            int capacity = Math.Max(1024, _count);
            var userIndices = new int[capacity];
            var itemIndices = new int[capacity];
            var values = new float[capacity];
            var weights = new float[capacity];
            var timestamps = new long[capacity];
            var kinds = new EventKind[capacity];
            int count = 0;
            for (int row = 0; row < _count; row++)
            {
                int user = remap[_userIndices[row]];
                if (user < 0)
                {
                    continue;
                }

                userIndices[count] = user;
                itemIndices[count] = _itemIndices[row];
                values[count] = _values[row];
                weights[count] = _weights[row];
                timestamps[count] = _timestamps[row];
                kinds[count] = _kinds[row];
                count++;
            }

            int interactions = _count - count;
            (_userIndices, _itemIndices, _values, _weights, _timestamps, _kinds) = (userIndices, itemIndices, values, weights, timestamps, kinds);
            _users = kept;
            _count = count;
            return (users, interactions);
        }
    }

    /// <summary>Whether the history knows the user (has an interaction of theirs).</summary>
    public bool KnowsUser(string userId)
    {
        lock (_lock)
        {
            return _users.TryGetIndex(userId, out _);
        }
    }

    /// <summary>Every user id and every item id the history knows, for the admission limits of ingestion.</summary>
    public (IReadOnlyList<string> Users, IReadOnlyList<string> Items) KnownIds()
    {
        lock (_lock)
        {
            return (Ids(_users), Ids(_items));
        }

        static string[] Ids(IdMap map)
        {
            var ids = new string[map.Count];
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = map.GetId(i);
            }

            return ids;
        }
    }

    /// <summary>
    /// A dataset of everything so far (copies; later appends do not change it), and its interaction count. Only the id
    /// maps are copied under the lock (<see cref="Freeze"/>): the columns are append-only (a row below the count is
    /// never written again, and growth moves them to new arrays), so their prefixes are copied while appends go on.
    /// </summary>
    public (InteractionDataset Data, int Count) Snapshot()
    {
        Frozen frozen = Freeze();
        return (frozen.ToDataset(), frozen.Count);
    }

    /// <summary>The history as of now, cheaply: copies of the id maps and the current columns with their count.</summary>
    public Frozen Freeze()
    {
        lock (_lock)
        {
            return new Frozen(_users.Clone(), _items.Clone(), _catalog, _count, _userIndices, _itemIndices, _values, _weights, _timestamps, _kinds);
        }
    }

    /// <summary>
    /// A moment of the history: <see cref="ToDataset"/> copies its rows, on any thread, while appends go on (they only
    /// write past <see cref="Count"/>, or into new arrays).
    /// </summary>
    internal sealed class Frozen(
        IdMap users, IdMap items, ItemCatalog catalog, int count,
        int[] userIndices, int[] itemIndices, float[] values, float[] weights, long[] timestamps, EventKind[] kinds)
    {
        /// <summary>Interactions at that moment.</summary>
        public int Count => count;

        /// <summary>The interactions of that moment as a dataset (copies).</summary>
        public InteractionDataset ToDataset()
        {
            int itemCount = items.Count;
            var attributes = new ItemAttributes?[itemCount];
            int tags = 0;
            for (int item = 0; item < Math.Min(itemCount, catalog.Count); item++)
            {
                if (catalog.HasAttributes(item))
                {
                    attributes[item] = catalog[item];
                    tags += catalog[item].Tags.Count;
                }
            }

            return new InteractionDataset(
                users, items, users.Count, itemCount, new ItemCatalog(attributes, tags),
                userIndices[..count], itemIndices[..count], values[..count], weights[..count], timestamps[..count], kinds[..count]);
        }
    }

    /// <summary>Copies the interactions from position <paramref name="start"/> on into <paramref name="destination"/> as events.</summary>
    /// <returns>How many were copied: 0 when there are none past <paramref name="start"/>.</returns>
    public int Read(int start, Span<WeightedEvent> destination)
    {
        lock (_lock)
        {
            int count = Math.Clamp(_count - start, 0, destination.Length);
            for (int i = 0; i < count; i++)
            {
                int row = start + i;
                var interaction = new Interaction(
                    _users.GetId(_userIndices[row]), _items.GetId(_itemIndices[row]), _values[row],
                    DateTimeOffset.FromUnixTimeMilliseconds(_timestamps[row]), _kinds[row]);
                destination[i] = new WeightedEvent(interaction, _weights[row], row + 1L);
            }

            return count;
        }
    }

    private void EnsureCapacity(long needed)
    {
        if (needed <= _userIndices.Length)
        {
            return;
        }

        if (needed > Array.MaxLength)
        {
            throw new InvalidOperationException($"The engine's history would exceed {Array.MaxLength} interactions.");
        }

        int capacity = (int)Math.Min(Array.MaxLength, Math.Max(needed, Math.Max(1024L, 2L * _userIndices.Length)));
        Array.Resize(ref _userIndices, capacity);
        Array.Resize(ref _itemIndices, capacity);
        Array.Resize(ref _values, capacity);
        Array.Resize(ref _weights, capacity);
        Array.Resize(ref _timestamps, capacity);
        Array.Resize(ref _kinds, capacity);
    }
}
