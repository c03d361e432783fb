using System.Numerics;

namespace RecEngine.Models.Neighborhood;

/// <summary>
/// One row's map from the rows it shares an entry with to the slot of their <see cref="PairSums"/>: open addressing
/// with linear probing over one array of (key, slot) packed in a <see cref="long"/>, at most 60% full, growing by
/// doubling. Keys are non-negative row indices.
/// </summary>
internal struct PairTable
{
    private const long Empty = -1L;

    private long[]? _entries;
    private int _count;

    /// <summary>Number of keys.</summary>
    public readonly int Count => _count;

    /// <summary>Length of the entry array (0 before the first key).</summary>
    public readonly int Capacity => _entries?.Length ?? 0;

    /// <summary>
    /// A table over <paramref name="entries"/> as <see cref="Entries"/> gave them (raw, empty entries included), holding
    /// <paramref name="count"/> keys: a restored table is the saved one. The caller has checked the entries.
    /// </summary>
    public static PairTable FromEntries(long[]? entries, int count)
    {
        var table = default(PairTable);
        table._entries = entries;
        table._count = count;
        return table;
    }

    /// <summary>The raw entries, for enumeration: skip those that are not <see cref="IsEntry"/>.</summary>
    public readonly ReadOnlySpan<long> Entries => _entries;

    public static bool IsEntry(long entry) => entry != Empty;

    public static int KeyOf(long entry) => (int)(entry >> 32);

    public static int SlotOf(long entry) => (int)entry;

    /// <summary>The slot of <paramref name="key"/>, or −1.</summary>
    public readonly int Find(int key)
    {
        if (_entries is null)
        {
            return -1;
        }

        int mask = _entries.Length - 1;
        for (int i = Hash(key, mask); ; i = (i + 1) & mask)
        {
            long entry = _entries[i];
            if (entry == Empty)
            {
                return -1;
            }

            if (KeyOf(entry) == key)
            {
                return SlotOf(entry);
            }
        }
    }

    /// <summary>Adds <paramref name="key"/>, which must be absent.</summary>
    public void Add(int key, int slot)
    {
        if (_entries is null || (_count + 1) * 5L > _entries.Length * 3L)
        {
            Grow();
        }

        Insert(_entries!, key, slot);
        _count++;
    }

    private void Grow()
    {
        long[]? old = _entries;
        var entries = new long[Math.Max(8, (old?.Length ?? 0) * 2)];
        entries.AsSpan().Fill(Empty);
        if (old is not null)
        {
            foreach (long entry in old)
            {
                if (entry != Empty)
                {
                    Insert(entries, KeyOf(entry), SlotOf(entry));
                }
            }
        }

        _entries = entries;
    }

    private static void Insert(long[] entries, int key, int slot)
    {
        int mask = entries.Length - 1;
        int i = Hash(key, mask);
        while (entries[i] != Empty)
        {
            i = (i + 1) & mask;
        }

        entries[i] = ((long)key << 32) | (uint)slot;
    }

    /// <summary>Fibonacci hashing: the high bits of key · 2^32/φ, so consecutive keys spread.</summary>
    private static int Hash(int key, int mask) =>
        (int)(((uint)key * 2654435769u) >> (32 - BitOperations.TrailingZeroCount(mask + 1))) & mask;
}
