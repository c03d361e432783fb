using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace RecEngine.Data;

/// <summary>
/// Maps caller-chosen string ids (of users or of items) to dense indices <c>0..Count-1</c> and back.
/// </summary>
/// <remarks>
/// <para>
/// Indices are assigned in order of first appearance and never change or get reused, so arrays indexed by
/// them (factor rows, CSR rows) stay valid as the map grows.
/// </para>
/// <para>
/// Thread safety: any number of threads may call <see cref="TryGetIndex"/>, <see cref="GetId"/> and
/// <see cref="Count"/> while other threads call <see cref="GetOrAdd"/>. Writers serialise on a private lock;
/// readers never take it. A writer stores the reverse entry before it publishes the forward entry and the
/// new count, so an index a reader can observe always maps back to its id.
/// </para>
/// </remarks>
public sealed class IdMap
{
    private readonly ConcurrentDictionary<string, int> _indexById;
    private readonly Lock _writeLock = new();
    private string[] _ids;
    private int _count;

    /// <summary>Creates an empty map.</summary>
    /// <param name="capacity">Expected number of ids; the map grows past it as needed.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative.</exception>
    public IdMap(int capacity = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _ids = new string[Math.Max(capacity, 4)];
        _indexById = new ConcurrentDictionary<string, int>(Environment.ProcessorCount, Math.Max(capacity, 4), StringComparer.Ordinal);
    }

    /// <summary>Number of ids in the map.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Returns the index of <paramref name="id"/>, adding it with the next free index if it is new.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty.</exception>
    public int GetOrAdd(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (_indexById.TryGetValue(id, out int index))
        {
            return index;
        }

        lock (_writeLock)
        {
            if (_indexById.TryGetValue(id, out index))
            {
                return index;
            }

            index = _count;
            if (index == _ids.Length)
            {
                // Readers holding the old array still see every entry below the count they read.
                string[] grown = new string[checked(_ids.Length * 2)];
                Array.Copy(_ids, grown, index);
                Volatile.Write(ref _ids, grown);
            }

            _ids[index] = id;
            _indexById[id] = index;
            Volatile.Write(ref _count, index + 1);
            return index;
        }
    }

    /// <summary>Looks up the index of <paramref name="id"/> without adding it.</summary>
    /// <returns><see langword="true"/> when the id is known; unknown or null ids return <see langword="false"/>.</returns>
    public bool TryGetIndex([NotNullWhen(true)] string? id, out int index)
    {
        if (id is null)
        {
            index = -1;
            return false;
        }

        if (_indexById.TryGetValue(id, out index))
        {
            return true;
        }

        index = -1;
        return false;
    }

    /// <summary>Returns the id stored at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in <c>[0, Count)</c>.</exception>
    public string GetId(int index)
    {
        int count = Count;
        if ((uint)index >= (uint)count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Index must be in [0, {count}).");
        }

        return Volatile.Read(ref _ids)[index];
    }

    /// <summary>Copies the map: the copy has the same ids at the same indices and grows independently.</summary>
    public IdMap Clone()
    {
        lock (_writeLock)
        {
            var copy = new IdMap(_count);
            for (int i = 0; i < _count; i++)
            {
                copy.GetOrAdd(_ids[i]);
            }

            return copy;
        }
    }
}
