using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecEngine.Kernels;

/// <summary>Decides whether a candidate index may enter a top-k selection.</summary>
internal interface ICandidateFilter
{
    /// <summary>Whether the candidate at <paramref name="index"/> is eligible.</summary>
    bool Accept(int index);
}

/// <summary>A filter that accepts every candidate.</summary>
internal readonly struct AcceptAll : ICandidateFilter
{
    public bool Accept(int index) => true;
}

/// <summary>
/// Top-k selection over a dense score vector with a bounded min-heap: O(n + m log k) for n scores of which m
/// enter the heap, no allocation (the heap lives in the destination spans). After the heap fills, a SIMD
/// comparison against the root skips whole vectors of candidates that cannot enter.
/// </summary>
/// <remarks>
/// Order: higher score first; equal scores by lower index first, so results are deterministic. NaN scores mark
/// ineligible candidates and are skipped; negative infinity is a valid (worst) score. The filter is consulted
/// only for candidates that would enter the heap, so an expensive filter costs about O(k log n), not O(n).
/// </remarks>
internal static class TopK
{
    /// <summary>Selects the best <c>min(topIndices.Length, eligible)</c> candidates, best first.</summary>
    /// <returns>The number selected.</returns>
    public static int Select<TFilter>(ReadOnlySpan<float> scores, Span<int> topIndices, Span<float> topScores, ref TFilter filter)
        where TFilter : ICandidateFilter, allows ref struct
    {
        int size = 0;
        Add(scores, 0, topIndices, topScores, ref size, ref filter);
        return Complete(topIndices, topScores, size);
    }

    /// <summary>
    /// Adds a block of candidates, <c>scores[j]</c> for index <c>offset + j</c>, to the heap of <paramref name="size"/>
    /// entries kept in the destination spans. Offering blocks in ascending index order and then calling
    /// <see cref="Complete"/> gives exactly what <see cref="Select{TFilter}"/> gives on the whole vector, without
    /// materialising it.
    /// </summary>
    public static void Add<TFilter>(ReadOnlySpan<float> scores, int offset, Span<int> topIndices, Span<float> topScores, ref int size, ref TFilter filter)
        where TFilter : ICandidateFilter, allows ref struct
    {
        if (topScores.Length < topIndices.Length)
        {
            throw new ArgumentException("The score destination is shorter than the index destination.", nameof(topScores));
        }

        int k = topIndices.Length;
        if (k == 0)
        {
            return;
        }

        // Fill the heap with the first k eligible candidates.
        int i = 0;
        for (; i < scores.Length && size < k; i++)
        {
            float score = scores[i];
            if (!float.IsNaN(score) && filter.Accept(offset + i))
            {
                SiftUp(topIndices, topScores, size, offset + i, score);
                size++;
            }
        }

        // Then only a score above the root can enter. Whole vectors at or below it (or NaN) are skipped with one
        // comparison; once the heap holds good candidates that is nearly every vector.
        ref float first = ref MemoryMarshal.GetReference(scores);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + Vector512<float>.Count <= scores.Length; i += Vector512<float>.Count)
            {
                ulong above = Vector512.GreaterThan(Vector512.LoadUnsafe(ref first, (nuint)i), Vector512.Create(topScores[0])).ExtractMostSignificantBits();
                OfferMasked(scores, i, above, offset, topIndices, topScores, ref filter);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<float>.Count <= scores.Length; i += Vector256<float>.Count)
            {
                ulong above = Vector256.GreaterThan(Vector256.LoadUnsafe(ref first, (nuint)i), Vector256.Create(topScores[0])).ExtractMostSignificantBits();
                OfferMasked(scores, i, above, offset, topIndices, topScores, ref filter);
            }
        }

        Offer(scores, i, scores.Length, offset, topIndices, topScores, ref filter);
    }

    /// <summary>
    /// Adds candidates given by index: <c>scores[j]</c> for index <c>indices[j]</c>, indices ascending and above every
    /// index already offered. Mixing this with <see cref="Add{TFilter}(ReadOnlySpan{float}, int, Span{int}, Span{float}, ref int, ref TFilter)"/>
    /// in ascending index order gives the same selection as one dense pass.
    /// </summary>
    public static void Add<TFilter>(ReadOnlySpan<float> scores, ReadOnlySpan<int> indices, Span<int> topIndices, Span<float> topScores, ref int size, ref TFilter filter)
        where TFilter : ICandidateFilter, allows ref struct
    {
        if (topScores.Length < topIndices.Length)
        {
            throw new ArgumentException("The score destination is shorter than the index destination.", nameof(topScores));
        }

        if (scores.Length < indices.Length)
        {
            throw new ArgumentException($"{indices.Length} indices but {scores.Length} scores.", nameof(scores));
        }

        int k = topIndices.Length;
        for (int j = 0; j < indices.Length && k > 0; j++)
        {
            float score = scores[j];
            int index = indices[j];
            if (size < k)
            {
                if (!float.IsNaN(score) && filter.Accept(index))
                {
                    SiftUp(topIndices, topScores, size, index, score);
                    size++;
                }
            }
            else if (score > topScores[0] && filter.Accept(index))
            {
                SiftDown(topIndices, topScores, k, index, score);
            }
        }
    }

    /// <summary>
    /// The score a candidate must beat to enter a heap of <paramref name="size"/> entries and capacity
    /// <c>topScores.Length</c>: the root once the heap is full, negative infinity before.
    /// </summary>
    public static float Threshold(ReadOnlySpan<float> topScores, int size) =>
        size > 0 && size == topScores.Length ? topScores[0] : float.NegativeInfinity;

    /// <summary>Orders the heap of <paramref name="size"/> entries best first.</summary>
    /// <returns><paramref name="size"/>.</returns>
    public static int Complete(Span<int> topIndices, Span<float> topScores, int size)
    {
        // Heap sort: move the worst to the back repeatedly, which leaves the best first.
        for (int end = size - 1; end > 0; end--)
        {
            int worstIndex = topIndices[0];
            float worstScore = topScores[0];
            SiftDown(topIndices, topScores, end, topIndices[end], topScores[end]);
            topIndices[end] = worstIndex;
            topScores[end] = worstScore;
        }

        return size;
    }

    /// <summary>Offers candidates [start, end) of a block whose first index is <paramref name="offset"/> to a full heap.</summary>
    private static void Offer<TFilter>(ReadOnlySpan<float> scores, int start, int end, int offset, Span<int> topIndices, Span<float> topScores, ref TFilter filter)
        where TFilter : ICandidateFilter, allows ref struct
    {
        int size = topIndices.Length;
        for (int i = start; i < end; i++)
        {
            // Scanning by ascending index, an equal score never beats the root: lower index wins ties. NaN never
            // compares greater.
            float score = scores[i];
            if (score > topScores[0] && filter.Accept(offset + i))
            {
                SiftDown(topIndices, topScores, size, offset + i, score);
            }
        }
    }

    /// <summary>
    /// Offers the candidates of one vector starting at <paramref name="start"/> whose bit is set in
    /// <paramref name="above"/> (they beat the root when the vector was compared), in ascending index order; each is
    /// checked again against the root, which may have risen meanwhile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OfferMasked<TFilter>(ReadOnlySpan<float> scores, int start, ulong above, int offset, Span<int> topIndices, Span<float> topScores, ref TFilter filter)
        where TFilter : ICandidateFilter, allows ref struct
    {
        while (above != 0)
        {
            int i = start + BitOperations.TrailingZeroCount(above);
            above &= above - 1;
            float score = scores[i];
            if (score > topScores[0] && filter.Accept(offset + i))
            {
                SiftDown(topIndices, topScores, topIndices.Length, offset + i, score);
            }
        }
    }

    /// <summary>Selects without a filter.</summary>
    public static int Select(ReadOnlySpan<float> scores, Span<int> topIndices, Span<float> topScores)
    {
        var all = default(AcceptAll);
        return Select(scores, topIndices, topScores, ref all);
    }

    /// <summary>Whether (a, ia) ranks below (b, ib): lower score, or equal score and higher index.</summary>
    private static bool Worse(float a, int ia, float b, int ib) => a < b || (a == b && ia > ib);

    private static void SiftUp(Span<int> indices, Span<float> scores, int position, int index, float score)
    {
        while (position > 0)
        {
            int parent = (position - 1) >> 1;
            if (!Worse(score, index, scores[parent], indices[parent]))
            {
                break;
            }

            indices[position] = indices[parent];
            scores[position] = scores[parent];
            position = parent;
        }

        indices[position] = index;
        scores[position] = score;
    }

    /// <summary>Places (index, score) at the root of a heap of <paramref name="size"/> and restores the heap.</summary>
    private static void SiftDown(Span<int> indices, Span<float> scores, int size, int index, float score)
    {
        int position = 0;
        while (true)
        {
            int child = (2 * position) + 1;
            if (child >= size)
            {
                break;
            }

            if (child + 1 < size && Worse(scores[child + 1], indices[child + 1], scores[child], indices[child]))
            {
                child++;
            }

            if (!Worse(scores[child], indices[child], score, index))
            {
                break;
            }

            indices[position] = indices[child];
            scores[position] = scores[child];
            position = child;
        }

        indices[position] = index;
        scores[position] = score;
    }
}
