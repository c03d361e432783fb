namespace RecEngine.Data.Synthetic;

/// <summary>
/// The simulated interactions in user-major order (each user's slice in time order), one array per column,
/// before they are put in global time order.
/// </summary>
/// <remarks>The arrays start uninitialised: the simulation writes every entry.</remarks>
internal sealed class SyntheticHistories(int count)
{
    /// <summary>The last Unix millisecond a <see cref="DateTimeOffset"/> can hold (9999-12-31T23:59:59.999Z).</summary>
    internal const long LastTimestamp = 253_402_300_799_999;

    public int Count { get; } = count;

    public int[] Users { get; } = GC.AllocateUninitializedArray<int>(count);

    public int[] Items { get; } = GC.AllocateUninitializedArray<int>(count);

    public float[] Values { get; } = GC.AllocateUninitializedArray<float>(count);

    /// <summary>Index of each interaction's kind in the list of emitted kinds.</summary>
    public byte[] KindCodes { get; } = GC.AllocateUninitializedArray<byte>(count);

    /// <summary>Unix milliseconds.</summary>
    public long[] Timestamps { get; } = GC.AllocateUninitializedArray<long>(count);
}
