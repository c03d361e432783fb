namespace RecEngine.Models.Neighborhood;

/// <summary>
/// Bounded selection of the best (index, similarity) candidates offered in any order, in the order every neighbour
/// list uses: higher similarity first, equal similarities by lower index (as <see cref="Kernels.TopK"/>).
/// </summary>
internal static class NeighborHeap
{
    /// <summary>Whether (<paramref name="score"/>, <paramref name="index"/>) ranks before (<paramref name="otherScore"/>, <paramref name="otherIndex"/>).</summary>
    public static bool Before(float score, int index, float otherScore, int otherIndex) =>
        score > otherScore || (score == otherScore && index < otherIndex);

    /// <summary>Offers a candidate to the heap of <paramref name="size"/> entries (worst at the root) with capacity <c>indices.Length</c>.</summary>
    public static void Offer(Span<int> indices, Span<float> scores, ref int size, int index, float score)
    {
        if (indices.IsEmpty)
        {
            return;
        }

        if (size < indices.Length)
        {
            // Sift up from the end.
            int hole = size++;
            while (hole > 0)
            {
                int parent = (hole - 1) >> 1;
                if (!Before(scores[parent], indices[parent], score, index))
                {
                    break;
                }

                indices[hole] = indices[parent];
                scores[hole] = scores[parent];
                hole = parent;
            }

            indices[hole] = index;
            scores[hole] = score;
        }
        else if (Before(score, index, scores[0], indices[0]))
        {
            SiftDown(indices, scores, size, index, score);
        }
    }

    /// <summary>Orders the heap best first in place; returns <paramref name="size"/>.</summary>
    public static int Drain(Span<int> indices, Span<float> scores, int size)
    {
        for (int end = size - 1; end > 0; end--)
        {
            int worstIndex = indices[0];
            float worstScore = scores[0];
            SiftDown(indices, scores, end, indices[end], scores[end]);
            indices[end] = worstIndex;
            scores[end] = worstScore;
        }

        return size;
    }

    /// <summary>Places (index, score) at the root of the heap of <paramref name="size"/> entries and sifts it down.</summary>
    private static void SiftDown(Span<int> indices, Span<float> scores, int size, int index, float score)
    {
        int hole = 0;
        while (true)
        {
            int child = (2 * hole) + 1;
            if (child >= size)
            {
                break;
            }

            // The worse of the two children.
            if (child + 1 < size && Before(scores[child], indices[child], scores[child + 1], indices[child + 1]))
            {
                child++;
            }

            if (!Before(score, index, scores[child], indices[child]))
            {
                break;
            }

            indices[hole] = indices[child];
            scores[hole] = scores[child];
            hole = child;
        }

        indices[hole] = index;
        scores[hole] = score;
    }
}
