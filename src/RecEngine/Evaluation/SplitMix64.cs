namespace RecEngine.Evaluation;

/// <summary>
/// The SplitMix64 generator (Steele, Lea and Flood 2014, "Fast splittable pseudorandom number generators") with
/// Lemire's unbiased bounded integers (Lemire 2019, "Fast random integer generation in an interval"). Splits and
/// negative samples use it instead of <see cref="Random"/>, whose seeded sequence .NET does not promise to keep
/// across versions, so a seed gives the same figures on every platform and runtime version.
/// </summary>
/// <remarks>Not thread-safe: one instance per thread.</remarks>
internal sealed class SplitMix64
{
    private ulong _state;

    /// <summary>Creates a generator; any state is valid, and nearby states still give unrelated streams.</summary>
    public SplitMix64(ulong state) => _state = state;

    /// <summary>The state: a generator created with it goes on with the same numbers as this one (for saving).</summary>
    public ulong State => _state;

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniformly distributed double in <c>[0, 1)</c>: 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniformly distributed integer in <c>[0, exclusiveMax)</c>, without modulo bias.</summary>
    /// <param name="exclusiveMax">The bound; at least 1.</param>
    public int Next(int exclusiveMax)
    {
        uint range = (uint)exclusiveMax;
        ulong product = (NextUInt64() >> 32) * range;
        uint low = (uint)product;
        if (low < range)
        {
            // Reject the few low products that would over-represent some results (2^32 mod range of them).
            uint threshold = (0u - range) % range;
            while (low < threshold)
            {
                product = (NextUInt64() >> 32) * range;
                low = (uint)product;
            }
        }

        return (int)(product >> 32);
    }
}
