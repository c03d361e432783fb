using System.Collections.Concurrent;

namespace RecEngine.Ingest;

/// <summary>
/// The cap on distinct ids (users or items) that ingestion admits (<see cref="IngestOptions.MaxUsers"/>,
/// <see cref="IngestOptions.MaxItems"/>): an event that would bring in one id past the cap is rejected on submission,
/// with a typed reason, before it is queued.
/// </summary>
/// <remarks>
/// Thread safety: any number of submitting threads. An id new to the set takes a place first (an atomic count) and is
/// added after, so concurrent submissions of new ids never overshoot the cap. An id stays admitted once it took its
/// place, even when its event is then not applied (queue full, engine stopping, cancelled, dropped): the cap errs on
/// the safe side. Only erasure gives places back (<see cref="Release"/>). Memory: one entry per admitted id, kept only
/// when a cap is set.
/// </remarks>
internal sealed class IdAdmission
{
    private readonly ConcurrentDictionary<string, byte> _admitted;
    private readonly int _capacity;
    private int _count;

    /// <summary>A cap of <paramref name="capacity"/> ids, of which <paramref name="known"/> (distinct) are already admitted.</summary>
    public IdAdmission(int capacity, IReadOnlyCollection<string> known)
    {
        _capacity = capacity;
        _admitted = new ConcurrentDictionary<string, byte>(Environment.ProcessorCount, Math.Max(16, known.Count), StringComparer.Ordinal);
        foreach (string id in known)
        {
            _admitted.TryAdd(id, 0);
        }

        _count = _admitted.Count;
    }

    /// <summary>Ids admitted.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Admits <paramref name="id"/> when it is known or there is room.</summary>
    public bool TryAdmit(string id)
    {
        if (_admitted.ContainsKey(id))
        {
            return true;
        }

        if (Interlocked.Increment(ref _count) > _capacity)
        {
            Interlocked.Decrement(ref _count);

            // Another submission may have admitted it meanwhile.
            return _admitted.ContainsKey(id);
        }

        if (!_admitted.TryAdd(id, 0))
        {
            // Admitted by a concurrent submission: the place taken is not needed.
            Interlocked.Decrement(ref _count);
            return true;
        }

        return true;
    }

    /// <summary>Gives back the place of an id that is no longer known (an erased user).</summary>
    public void Release(string id)
    {
        if (_admitted.TryRemove(id, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
