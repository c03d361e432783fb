using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecEngine.Kernels;

internal static partial class Simd
{
    /// <summary>
    /// a += sum over r of weights[r] * y_r y_rᵀ, where y_r is row <c>rows[r]</c> of the row-major
    /// <paramref name="factors"/> matrix with k columns and <paramref name="a"/> is k x k row-major: the weighted
    /// rank-1 accumulation that builds ALS normal equations (Hu, Koren and Volinsky 2008, eq. 4:
    /// <c>YᵀCᵤY = YᵀY + Yᵀ(Cᵤ - I)Y</c>, whose second term has one rank-1 term per item the user touched).
    /// </summary>
    /// <remarks>
    /// Four source rows per pass: each row of <paramref name="a"/> is loaded and stored once per four rank-1 terms,
    /// which halves memory traffic against one term at a time. <paramref name="weights"/> empty means all ones.
    /// </remarks>
    public static void AddWeightedOuterProducts(Span<float> a, ReadOnlySpan<float> factors, int k, ReadOnlySpan<int> rows, ReadOnlySpan<float> weights)
    {
        if (a.Length != k * k)
        {
            throw new ArgumentException($"The accumulator must be {k} x {k}.", nameof(a));
        }

        if (!weights.IsEmpty && weights.Length != rows.Length)
        {
            throw new ArgumentException("There must be one weight per row, or none.", nameof(weights));
        }

        if (Vector512.IsHardwareAccelerated && k >= Vector512<float>.Count)
        {
            AddOuter512(a, factors, k, rows, weights);
            return;
        }

        // Other machines: one TensorPrimitives row update (Vector256/128 as available) per entry of each source row.
        for (int r = 0; r < rows.Length; r++)
        {
            ReadOnlySpan<float> y = factors.Slice(RowOffset(factors, rows[r], k), k);
            float w = weights.IsEmpty ? 1f : weights[r];
            for (int i = 0; i < k; i++)
            {
                Span<float> target = a.Slice(i * k, k);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(y, w * y[i], target, target);
            }
        }
    }

    /// <summary>Reference for <see cref="AddWeightedOuterProducts"/>.</summary>
    public static void AddWeightedOuterProductsScalar(Span<float> a, ReadOnlySpan<float> factors, int k, ReadOnlySpan<int> rows, ReadOnlySpan<float> weights)
    {
        for (int r = 0; r < rows.Length; r++)
        {
            ReadOnlySpan<float> y = factors.Slice(rows[r] * k, k);
            float w = weights.IsEmpty ? 1f : weights[r];
            for (int i = 0; i < k; i++)
            {
                float s = w * y[i];
                for (int j = 0; j < k; j++)
                {
                    a[(i * k) + j] += s * y[j];
                }
            }
        }
    }

    private static void AddOuter512(Span<float> a, ReadOnlySpan<float> factors, int k, ReadOnlySpan<int> rows, ReadOnlySpan<float> weights)
    {
        ref float g = ref MemoryMarshal.GetReference(a);
        ref float f = ref MemoryMarshal.GetReference(factors);
        int vectorEnd = k - (k % Vector512<float>.Count);
        int r = 0;
        for (; r + 4 <= rows.Length; r += 4)
        {
            int o0 = RowOffset(factors, rows[r], k), o1 = RowOffset(factors, rows[r + 1], k);
            int o2 = RowOffset(factors, rows[r + 2], k), o3 = RowOffset(factors, rows[r + 3], k);
            float w0 = weights.IsEmpty ? 1f : weights[r], w1 = weights.IsEmpty ? 1f : weights[r + 1];
            float w2 = weights.IsEmpty ? 1f : weights[r + 2], w3 = weights.IsEmpty ? 1f : weights[r + 3];
            for (int i = 0; i < k; i++)
            {
                var s0 = Vector512.Create(w0 * factors[o0 + i]);
                var s1 = Vector512.Create(w1 * factors[o1 + i]);
                var s2 = Vector512.Create(w2 * factors[o2 + i]);
                var s3 = Vector512.Create(w3 * factors[o3 + i]);
                nuint row = (nuint)(i * k);
                for (int c = 0; c < vectorEnd; c += Vector512<float>.Count)
                {
                    Vector512<float> acc = Vector512.LoadUnsafe(ref g, row + (nuint)c);
                    acc = Vector512.FusedMultiplyAdd(s0, Vector512.LoadUnsafe(ref f, (nuint)(o0 + c)), acc);
                    acc = Vector512.FusedMultiplyAdd(s1, Vector512.LoadUnsafe(ref f, (nuint)(o1 + c)), acc);
                    acc = Vector512.FusedMultiplyAdd(s2, Vector512.LoadUnsafe(ref f, (nuint)(o2 + c)), acc);
                    acc = Vector512.FusedMultiplyAdd(s3, Vector512.LoadUnsafe(ref f, (nuint)(o3 + c)), acc);
                    acc.StoreUnsafe(ref g, row + (nuint)c);
                }

                for (int c = vectorEnd; c < k; c++)
                {
                    a[(i * k) + c] += (s0[0] * factors[o0 + c]) + (s1[0] * factors[o1 + c]) + (s2[0] * factors[o2 + c]) + (s3[0] * factors[o3 + c]);
                }
            }
        }

        for (; r < rows.Length; r++)
        {
            int o = RowOffset(factors, rows[r], k);
            float w = weights.IsEmpty ? 1f : weights[r];
            for (int i = 0; i < k; i++)
            {
                var s = Vector512.Create(w * factors[o + i]);
                nuint row = (nuint)(i * k);
                for (int c = 0; c < vectorEnd; c += Vector512<float>.Count)
                {
                    Vector512<float> acc = Vector512.LoadUnsafe(ref g, row + (nuint)c);
                    Vector512.FusedMultiplyAdd(s, Vector512.LoadUnsafe(ref f, (nuint)(o + c)), acc).StoreUnsafe(ref g, row + (nuint)c);
                }

                for (int c = vectorEnd; c < k; c++)
                {
                    a[(i * k) + c] += s[0] * factors[o + c];
                }
            }
        }
    }

    /// <summary>Offset of a factor row, checked against the matrix so the unchecked loads below stay in bounds.</summary>
    private static int RowOffset(ReadOnlySpan<float> factors, int row, int k)
    {
        int offset = row * k;
        if (row < 0 || offset + k > factors.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(row), row, "The row index is outside the factor matrix.");
        }

        return offset;
    }

    /// <summary>
    /// destination = Yᵀ Y (k x k) for the first <paramref name="rows"/> rows of a row-major <paramref name="factors"/>
    /// matrix with k columns, split over up to
    /// <paramref name="degreeOfParallelism"/> threads. The sum order depends only on the thread count, so results
    /// are deterministic for a fixed degree of parallelism.
    /// </summary>
    public static void Gram(float[] factors, int rows, int k, Span<float> destination, int degreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(factors);
        if ((long)rows * k > factors.Length)
        {
            throw new ArgumentException($"{rows} rows of {k} factors do not fit in {factors.Length} values.", nameof(rows));
        }

        if (destination.Length != k * k)
        {
            throw new ArgumentException($"The destination must be {k} x {k}.", nameof(destination));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(degreeOfParallelism, 1);
        int chunks = Math.Max(1, Math.Min(degreeOfParallelism, rows / 256));
        destination.Clear();
        if (chunks == 1)
        {
            AddRange(destination, factors, k, 0, rows);
            return;
        }

        var partials = new float[chunks][];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = degreeOfParallelism }, chunk =>
        {
            var partial = new float[k * k];
            int start = (int)((long)rows * chunk / chunks);
            int end = (int)((long)rows * (chunk + 1) / chunks);
            AddRange(partial, factors, k, start, end);
            partials[chunk] = partial;
        });

        foreach (float[] partial in partials)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(destination, partial, destination);
        }

        static void AddRange(Span<float> target, ReadOnlySpan<float> factors, int k, int start, int end)
        {
            Span<int> block = stackalloc int[64];
            for (int r = start; r < end; r += block.Length)
            {
                int n = Math.Min(block.Length, end - r);
                for (int i = 0; i < n; i++)
                {
                    block[i] = r + i;
                }

                AddWeightedOuterProducts(target, factors, k, block[..n], default);
            }
        }
    }

    /// <summary>Reference for <see cref="Gram"/>.</summary>
    public static void GramScalar(ReadOnlySpan<float> factors, int rows, int k, Span<float> destination)
    {
        destination.Clear();
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < k; j++)
                {
                    destination[(i * k) + j] += factors[(r * k) + i] * factors[(r * k) + j];
                }
            }
        }
    }
}
