using System.Runtime.CompilerServices;
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
    /// With <paramref name="upperOnly"/>, only entries on or right of the diagonal are guaranteed (about half the
    /// work), which is all <see cref="Cholesky.Factor"/> reads; entries left of it may or may not be updated.
    /// </remarks>
    public static void AddWeightedOuterProducts(Span<float> a, ReadOnlySpan<float> factors, int k, ReadOnlySpan<int> rows, ReadOnlySpan<float> weights, bool upperOnly = false)
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
            AddOuter512(a, factors, k, rows, weights, upperOnly);
            return;
        }

        // Other machines: one TensorPrimitives row update (Vector256/128 as available) per entry of each source row.
        for (int r = 0; r < rows.Length; r++)
        {
            ReadOnlySpan<float> y = factors.Slice(RowOffset(factors, rows[r], k), k);
            float w = weights.IsEmpty ? 1f : weights[r];
            for (int i = 0; i < k; i++)
            {
                int from = upperOnly ? i : 0;
                Span<float> target = a.Slice((i * k) + from, k - from);
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(y[from..], w * y[i], target, target);
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

    /// <summary>
    /// Register-blocked: a tile of 4 rows x 64 columns of <paramref name="a"/> (16 accumulators) sums the terms of
    /// every source row before it is stored once, so each source row is loaded once per tile and the 16 FMAs per
    /// source row are independent. Tiles wholly left of the diagonal are skipped with <paramref name="upperOnly"/>.
    /// </summary>
    private static void AddOuter512(Span<float> a, ReadOnlySpan<float> factors, int k, ReadOnlySpan<int> rows, ReadOnlySpan<float> weights, bool upperOnly)
    {
        const int W = 16;
        var gathered = GatheredRows.Create(rows, k, factors.Length, nameof(rows));
        int vectorEnd = k - (k % W);
        for (int i0 = 0; i0 < k; i0 += 4)
        {
            int count = Math.Min(4, k - i0);
            int c0 = 0;
            for (; c0 + (4 * W) <= vectorEnd; c0 += 4 * W)
            {
                // Upper only: skip tiles wholly left of the diagonal.
                if (!upperOnly || c0 + (4 * W) > i0)
                {
                    OuterTile4x64(a, factors, k, gathered, weights, i0, count, c0);
                }
            }

            for (; c0 < vectorEnd; c0 += W)
            {
                if (!upperOnly || c0 + W > i0)
                {
                    OuterTile4x16(a, factors, k, gathered, weights, i0, count, c0);
                }
            }
        }

        for (int c = vectorEnd; c < k; c++)
        {
            for (int i = 0; i < (upperOnly ? Math.Min(c + 1, k) : k); i++)
            {
                float sum = 0f;
                for (int j = 0; j < gathered.Count; j++)
                {
                    int o = (int)gathered.Offset(j);
                    sum += (weights.IsEmpty ? 1f : weights[j]) * factors[o + i] * factors[o + c];
                }

                a[(i * k) + c] += sum;
            }
        }
    }

    /// <summary>Rows [i0, i0 + count) x columns [c0, c0 + 64) of a, count in 1..4.</summary>
    private static void OuterTile4x64(Span<float> a, ReadOnlySpan<float> factors, int k, GatheredRows rows, ReadOnlySpan<float> weights, int i0, int count, int c0)
    {
        const int W = 16;
        ref float f = ref MemoryMarshal.GetReference(factors);
        Vector512<float> a00 = Vector512<float>.Zero, a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        Vector512<float> a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int j = 0; j < rows.Count; j++)
        {
            nuint o = rows.Offset(j);
            float w = weights.IsEmpty ? 1f : weights[j];
            Vector512<float> y0 = Vector512.LoadUnsafe(ref f, o + (nuint)c0);
            Vector512<float> y1 = Vector512.LoadUnsafe(ref f, o + (nuint)(c0 + W));
            Vector512<float> y2 = Vector512.LoadUnsafe(ref f, o + (nuint)(c0 + (2 * W)));
            Vector512<float> y3 = Vector512.LoadUnsafe(ref f, o + (nuint)(c0 + (3 * W)));
            var s0 = Vector512.Create(w * Unsafe.Add(ref f, o + (nuint)i0));
            var s1 = Vector512.Create(count > 1 ? w * Unsafe.Add(ref f, o + (nuint)(i0 + 1)) : 0f);
            var s2 = Vector512.Create(count > 2 ? w * Unsafe.Add(ref f, o + (nuint)(i0 + 2)) : 0f);
            var s3 = Vector512.Create(count > 3 ? w * Unsafe.Add(ref f, o + (nuint)(i0 + 3)) : 0f);
            a00 = Vector512.FusedMultiplyAdd(s0, y0, a00); a01 = Vector512.FusedMultiplyAdd(s0, y1, a01);
            a02 = Vector512.FusedMultiplyAdd(s0, y2, a02); a03 = Vector512.FusedMultiplyAdd(s0, y3, a03);
            a10 = Vector512.FusedMultiplyAdd(s1, y0, a10); a11 = Vector512.FusedMultiplyAdd(s1, y1, a11);
            a12 = Vector512.FusedMultiplyAdd(s1, y2, a12); a13 = Vector512.FusedMultiplyAdd(s1, y3, a13);
            a20 = Vector512.FusedMultiplyAdd(s2, y0, a20); a21 = Vector512.FusedMultiplyAdd(s2, y1, a21);
            a22 = Vector512.FusedMultiplyAdd(s2, y2, a22); a23 = Vector512.FusedMultiplyAdd(s2, y3, a23);
            a30 = Vector512.FusedMultiplyAdd(s3, y0, a30); a31 = Vector512.FusedMultiplyAdd(s3, y1, a31);
            a32 = Vector512.FusedMultiplyAdd(s3, y2, a32); a33 = Vector512.FusedMultiplyAdd(s3, y3, a33);
        }

        AddTileRow(a, (i0 * k) + c0, a00, a01, a02, a03);
        if (count > 1)
        {
            AddTileRow(a, ((i0 + 1) * k) + c0, a10, a11, a12, a13);
        }

        if (count > 2)
        {
            AddTileRow(a, ((i0 + 2) * k) + c0, a20, a21, a22, a23);
        }

        if (count > 3)
        {
            AddTileRow(a, ((i0 + 3) * k) + c0, a30, a31, a32, a33);
        }
    }

    /// <summary>Rows [i0, i0 + count) x columns [c0, c0 + 16) of a, count in 1..4.</summary>
    private static void OuterTile4x16(Span<float> a, ReadOnlySpan<float> factors, int k, GatheredRows rows, ReadOnlySpan<float> weights, int i0, int count, int c0)
    {
        ref float f = ref MemoryMarshal.GetReference(factors);
        Vector512<float> a0 = Vector512<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
        for (int j = 0; j < rows.Count; j++)
        {
            nuint o = rows.Offset(j);
            float w = weights.IsEmpty ? 1f : weights[j];
            Vector512<float> y = Vector512.LoadUnsafe(ref f, o + (nuint)c0);
            a0 = Vector512.FusedMultiplyAdd(Vector512.Create(w * Unsafe.Add(ref f, o + (nuint)i0)), y, a0);
            a1 = Vector512.FusedMultiplyAdd(Vector512.Create(count > 1 ? w * Unsafe.Add(ref f, o + (nuint)(i0 + 1)) : 0f), y, a1);
            a2 = Vector512.FusedMultiplyAdd(Vector512.Create(count > 2 ? w * Unsafe.Add(ref f, o + (nuint)(i0 + 2)) : 0f), y, a2);
            a3 = Vector512.FusedMultiplyAdd(Vector512.Create(count > 3 ? w * Unsafe.Add(ref f, o + (nuint)(i0 + 3)) : 0f), y, a3);
        }

        ref float g = ref MemoryMarshal.GetReference(a);
        for (int t = 0; t < count; t++)
        {
            Vector512<float> acc = t switch { 0 => a0, 1 => a1, 2 => a2, _ => a3 };
            nuint at = (nuint)(((i0 + t) * k) + c0);
            (Vector512.LoadUnsafe(ref g, at) + acc).StoreUnsafe(ref g, at);
        }
    }

    private static void AddTileRow(Span<float> a, int offset, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3)
    {
        const int W = 16;
        ref float g = ref MemoryMarshal.GetReference(a);
        nuint at = (nuint)offset;
        (Vector512.LoadUnsafe(ref g, at) + v0).StoreUnsafe(ref g, at);
        (Vector512.LoadUnsafe(ref g, at + W) + v1).StoreUnsafe(ref g, at + W);
        (Vector512.LoadUnsafe(ref g, at + (2 * W)) + v2).StoreUnsafe(ref g, at + (2 * W));
        (Vector512.LoadUnsafe(ref g, at + (3 * W)) + v3).StoreUnsafe(ref g, at + (3 * W));
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
