using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecEngine.Kernels;

internal static partial class Simd
{
    /// <summary>
    /// result += Σ_r weights[r] (y_r · p) y_r, where y_r is row <c>rows[r]</c> of the row-major
    /// <paramref name="factors"/> matrix with <c>p.Length</c> columns: the data term of the implicit-ALS operator
    /// <c>Yᵀ(Cᵤ - I)Y p</c> without forming the matrix, as conjugate gradient needs it.
    /// </summary>
    /// <remarks>
    /// Fused: each row is read once for the dot product and again (from L1) for the update, with no call per row.
    /// Rows with weight 0 are skipped.
    /// </remarks>
    public static void AddProjections(Span<float> result, ReadOnlySpan<float> factors, ReadOnlySpan<int> rows, ReadOnlySpan<float> weights, ReadOnlySpan<float> p)
    {
        int k = p.Length;
        if (result.Length != k)
        {
            throw new ArgumentException($"The result must have length {k}.", nameof(result));
        }

        if (weights.Length != rows.Length)
        {
            throw new ArgumentException("There must be one weight per row.", nameof(weights));
        }

        if (Vector512.IsHardwareAccelerated && k % Vector512<float>.Count == 0)
        {
            AddProjections512(result, factors, rows, weights, p);
        }
        else
        {
            AddProjectionsScalar(result, factors, rows, weights, p);
        }
    }

    /// <summary>Reference for <see cref="AddProjections"/>.</summary>
    public static void AddProjectionsScalar(Span<float> result, ReadOnlySpan<float> factors, ReadOnlySpan<int> rows, ReadOnlySpan<float> weights, ReadOnlySpan<float> p)
    {
        int k = p.Length;
        for (int r = 0; r < rows.Length; r++)
        {
            if (weights[r] == 0f)
            {
                continue;
            }

            ReadOnlySpan<float> y = factors.Slice(rows[r] * k, k);
            float s = weights[r] * DotScalar(y, p);
            for (int c = 0; c < k; c++)
            {
                result[c] += s * y[c];
            }
        }
    }

    private static void AddProjections512(Span<float> result, ReadOnlySpan<float> factors, ReadOnlySpan<int> rows, ReadOnlySpan<float> weights, ReadOnlySpan<float> p)
    {
        int k = p.Length;
        ref float f = ref MemoryMarshal.GetReference(factors);
        ref float ps = ref MemoryMarshal.GetReference(p);
        ref float acc = ref MemoryMarshal.GetReference(result);
        for (int r = 0; r < rows.Length; r++)
        {
            float w = weights[r];
            if (w == 0f)
            {
                continue;
            }

            nuint o = (nuint)RowOffset(factors, rows[r], k);
            Vector512<float> dot = Vector512<float>.Zero;
            for (int c = 0; c < k; c += Vector512<float>.Count)
            {
                dot = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref f, o + (nuint)c), Vector512.LoadUnsafe(ref ps, (nuint)c), dot);
            }

            var s = Vector512.Create(w * Vector512.Sum(dot));
            for (int c = 0; c < k; c += Vector512<float>.Count)
            {
                Vector512<float> current = Vector512.LoadUnsafe(ref acc, (nuint)c);
                Vector512.FusedMultiplyAdd(s, Vector512.LoadUnsafe(ref f, o + (nuint)c), current).StoreUnsafe(ref acc, (nuint)c);
            }
        }
    }
}
