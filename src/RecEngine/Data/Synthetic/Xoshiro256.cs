namespace RecEngine.Data.Synthetic;

/// <summary>
/// The xoshiro256** generator (Blackman and Vigna, "Scrambled Linear Pseudorandom Number Generators",
/// ACM TOMS 47(4), 2021), seeded through SplitMix64 from a (seed, stream, substream) triple so that every
/// phase of the synthetic generator and every user draws from its own independent sequence.
/// </summary>
/// <remarks>
/// A mutable value type: pass it by <see langword="ref"/>. Owning the generator (rather than using
/// <see cref="Random"/>) pins the sequence down across .NET versions, which is what makes a seed reproducible.
/// </remarks>
internal struct Xoshiro256
{
    private const ulong GoldenGamma = 0x9E3779B97F4A7C15UL;
    private const double TwoPi = 2 * Math.PI;

    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    /// <summary>Creates the generator of one independent stream.</summary>
    public Xoshiro256(ulong seed, ulong stream, ulong substream)
    {
        // Hash the triple with the SplitMix64 finaliser, then expand it with SplitMix64 as the authors advise;
        // the expansion never yields the all-zero state.
        ulong state = Mix(seed ^ Mix(stream ^ Mix(substream + GoldenGamma)));
        _s0 = NextSplitMix(ref state);
        _s1 = NextSplitMix(ref state);
        _s2 = NextSplitMix(ref state);
        _s3 = NextSplitMix(ref state);
    }

    /// <summary>A generator in the given raw state (not all zero), for comparison with the reference implementation.</summary>
    internal static Xoshiro256 FromState(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        var random = default(Xoshiro256);
        random._s0 = s0;
        random._s1 = s1;
        random._s2 = s2;
        random._s3 = s3;
        return random;
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="count"/>) for a positive count.</summary>
    public int NextInt(int count) => (int)NextUInt64((ulong)count);

    /// <summary>
    /// A uniform integer in [0, <paramref name="bound"/>) for a positive bound, without modulo bias (Lemire,
    /// "Fast Random Integer Generation in an Interval", ACM TOMACS 29(1), 2019).
    /// </summary>
    public ulong NextUInt64(ulong bound)
    {
        ulong high = Math.BigMul(NextUInt64(), bound, out ulong low);
        if (low < bound)
        {
            ulong threshold = (0UL - bound) % bound;
            while (low < threshold)
            {
                high = Math.BigMul(NextUInt64(), bound, out low);
            }
        }

        return high;
    }

    /// <summary>A standard normal deviate (Box-Muller; one of the pair is discarded to keep the state a plain value).</summary>
    public double NextNormal()
    {
        double radius = Math.Sqrt(-2.0 * Math.Log(1.0 - NextDouble()));
        return radius * Math.Cos(TwoPi * NextDouble());
    }

    /// <summary>An exponential deviate with mean 1.</summary>
    public double NextExponential() => -Math.Log(1.0 - NextDouble());

    /// <summary>
    /// The logarithm of a Gamma(<paramref name="shape"/>, 1) deviate. Marsaglia and Tsang's method
    /// ("A Simple Method for Generating Gamma Variables", ACM TOMS 26(3), 2000) for shape at least 1, with their
    /// boost <c>Gamma(a) = Gamma(a + 1) * U^(1/a)</c> below 1. Working in logs keeps tiny shapes from underflowing.
    /// </summary>
    public double NextLogGamma(double shape)
    {
        if (shape < 1.0)
        {
            double boost = Math.Log(1.0 - NextDouble()) / shape;
            return NextLogGamma(shape + 1.0) + boost;
        }

        double d = shape - (1.0 / 3.0);
        double c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x = NextNormal();
            double v = 1.0 + (c * x);
            if (v <= 0)
            {
                continue;
            }

            v = v * v * v;
            double u = 1.0 - NextDouble();
            double x2 = x * x;
            if (u < 1.0 - (0.0331 * x2 * x2) || Math.Log(u) < (0.5 * x2) + (d * (1.0 - v + Math.Log(v))))
            {
                return Math.Log(d * v);
            }
        }
    }

    private static ulong NextSplitMix(ref ulong state)
    {
        state += GoldenGamma;
        return Mix(state);
    }

    // SplitMix64's finaliser (Steele, Lea and Flood, OOPSLA 2014; constants from Stafford's variant 13).
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
