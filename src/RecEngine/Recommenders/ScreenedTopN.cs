using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RecEngine.Kernels;

namespace RecEngine;

/// <summary>
/// Exact top-k with a cheap first pass. Pass 1 computes bounds for every item block by block and keeps the k best
/// lower bounds; their minimum τ is a score that at least k eligible items reach. Any item whose upper bound is below
/// τ has an exact score below k others and cannot be selected, so pass 2 scores exactly only the items with an upper
/// bound of at least τ and selects among them with the usual ordering (higher score, then lower index).
/// </summary>
internal static class ScreenedTopN
{
    /// <summary>Items per pass-1 block: 1 KB of lower bounds, well inside L1.</summary>
    private const int Block = 256;

    /// <summary>
    /// Selects the user's top <c>topIndices.Length</c> eligible items into the heap spans and orders them best first.
    /// <paramref name="seen"/> (ascending) are ineligible, as are items the filter rejects.
    /// </summary>
    /// <returns>The number selected.</returns>
    public static int Select(
        TrainedModel model, ScoreScreen screen, float scale, int user, ReadOnlySpan<int> seen,
        Span<int> topIndices, Span<float> topScores, ref CandidateFilter filter)
    {
        int n = model.Context.ItemCount;
        int block = Math.Max(screen.Alignment, Block - (Block % screen.Alignment));
        float[] upperBuffer = ArrayPool<float>.Shared.Rent(n);
        float[] lowerBuffer = ArrayPool<float>.Shared.Rent(Math.Min(block, n));
        int[] candidateBuffer = ArrayPool<int>.Shared.Rent(n);
        try
        {
            Span<float> upper = upperBuffer.AsSpan(0, n);
            int size = 0;
            int next = 0;
            for (int start = 0; start < n; start += block)
            {
                int length = Math.Min(block, n - start);
                Span<float> lower = lowerBuffer.AsSpan(0, length);
                screen.Bounds(user, scale, start, lower, upper.Slice(start, length));
                for (; next < seen.Length && seen[next] < start + length; next++)
                {
                    lower[seen[next] - start] = float.NaN;
                    upper[seen[next]] = float.NaN;
                }

                TopK.Add(lower, start, topIndices, topScores, ref size, ref filter);
            }

            int count = Candidates(upper, TopK.Threshold(topScores, size), candidateBuffer);
            ReadOnlySpan<int> candidates = candidateBuffer.AsSpan(0, count);

            // The upper bounds are no longer needed: their buffer takes the exact scores.
            Span<float> exact = upperBuffer.AsSpan(0, count);
            model.ScoreItems(user, candidates, exact);
            size = 0;
            TopK.Add(exact, candidates, topIndices, topScores, ref size, ref filter);
            return TopK.Complete(topIndices, topScores, size);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(upperBuffer);
            ArrayPool<float>.Shared.Return(lowerBuffer);
            ArrayPool<int>.Shared.Return(candidateBuffer);
        }
    }

    /// <summary>Writes, ascending, the indices whose upper bound is at least <paramref name="threshold"/> (never NaN ones).</summary>
    private static int Candidates(ReadOnlySpan<float> upper, float threshold, Span<int> destination)
    {
        int count = 0;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            ref float first = ref MemoryMarshal.GetReference(upper);
            var bound = Vector512.Create(threshold);
            for (; i + Vector512<float>.Count <= upper.Length; i += Vector512<float>.Count)
            {
                ulong mask = Vector512.GreaterThanOrEqual(Vector512.LoadUnsafe(ref first, (nuint)i), bound).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    destination[count++] = i + System.Numerics.BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                }
            }
        }

        for (; i < upper.Length; i++)
        {
            if (upper[i] >= threshold)
            {
                destination[count++] = i;
            }
        }

        return count;
    }
}
