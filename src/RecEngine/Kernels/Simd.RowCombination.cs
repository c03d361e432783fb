using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecEngine.Kernels;

internal static partial class Simd
{
    /// <summary>
    /// result += Σ_j coefficients[j] · matrix[rows[j], :], with <c>result.Length</c> columns: a linear combination of
    /// gathered rows, such as <c>Σ_j c_j y_j</c> over a user's items (the right-hand side of ALS and the data term
    /// of its conjugate-gradient operator).
    /// </summary>
    /// <remarks>
    /// The 512-bit kernel keeps a 64-column block of the result in registers for the whole pass, with two sets of
    /// accumulators taking alternate rows so that the FMA latency is hidden; each row is read once per block and
    /// the result is loaded and stored once per block, not once per row.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">A row index is outside the matrix.</exception>
    public static void AddRowCombination(Span<float> result, ReadOnlySpan<float> matrix, ReadOnlySpan<int> rows, ReadOnlySpan<float> coefficients)
    {
        CheckSameLength(rows.Length, coefficients.Length, nameof(coefficients));
        Combine(result, matrix, GatheredRows.Create(rows, result.Length, matrix.Length, nameof(rows)), coefficients);
    }

    /// <summary>
    /// result = matrixᵀ x for a row-major matrix with <c>x.Length</c> rows and <c>result.Length</c> columns. For a
    /// symmetric matrix (a Gram matrix) this is the matrix-vector product, computed without horizontal sums.
    /// </summary>
    public static void MultiplyTransposed(ReadOnlySpan<float> matrix, ReadOnlySpan<float> x, Span<float> result)
    {
        CheckShape(matrix.Length, x.Length, result.Length, nameof(matrix));
        result.Clear();
        Combine(result, matrix, new ContiguousRows(x.Length, result.Length), x);
    }

    /// <summary>Reference for <see cref="AddRowCombination"/>.</summary>
    public static void AddRowCombinationScalar(Span<float> result, ReadOnlySpan<float> matrix, ReadOnlySpan<int> rows, ReadOnlySpan<float> coefficients)
    {
        int k = result.Length;
        for (int j = 0; j < rows.Length; j++)
        {
            ReadOnlySpan<float> row = matrix.Slice(rows[j] * k, k);
            for (int c = 0; c < k; c++)
            {
                result[c] += coefficients[j] * row[c];
            }
        }
    }

    /// <summary>Reference for <see cref="MultiplyTransposed"/>.</summary>
    public static void MultiplyTransposedScalar(ReadOnlySpan<float> matrix, ReadOnlySpan<float> x, Span<float> result)
    {
        int k = result.Length;
        CheckShape(matrix.Length, x.Length, k, nameof(matrix));
        result.Clear();
        for (int r = 0; r < x.Length; r++)
        {
            for (int c = 0; c < k; c++)
            {
                result[c] += x[r] * matrix[(r * k) + c];
            }
        }
    }

    private static void Combine<TRows>(Span<float> result, ReadOnlySpan<float> matrix, TRows rows, ReadOnlySpan<float> coefficients)
        where TRows : IRowOffsets, allows ref struct
    {
        int k = result.Length;
        if (Vector512.IsHardwareAccelerated && k >= Vector512<float>.Count)
        {
            Combine512(result, matrix, rows, coefficients);
            return;
        }

        // TensorPrimitives picks the widest vectors the machine has for each row.
        for (int j = 0; j < rows.Count; j++)
        {
            TensorPrimitives.MultiplyAdd(matrix.Slice((int)rows.Offset(j), k), coefficients[j], result, result);
        }
    }

    private static void Combine512<TRows>(Span<float> result, ReadOnlySpan<float> matrix, TRows rows, ReadOnlySpan<float> coefficients)
        where TRows : IRowOffsets, allows ref struct
    {
        const int W = 16;
        int k = result.Length;
        int n = rows.Count;
        ref float m = ref MemoryMarshal.GetReference(matrix);
        ref float r = ref MemoryMarshal.GetReference(result);
        int col = 0;
        for (; col + (4 * W) <= k; col += 4 * W)
        {
            Vector512<float> a0 = Vector512<float>.Zero, a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            int j = 0;
            for (; j + 2 <= n; j += 2)
            {
                nuint o = rows.Offset(j) + (nuint)col;
                nuint p = rows.Offset(j + 1) + (nuint)col;
                var s = Vector512.Create(coefficients[j]);
                var t = Vector512.Create(coefficients[j + 1]);
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o), s, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o + W), s, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o + (2 * W)), s, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o + (3 * W)), s, a3);
                b0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, p), t, b0);
                b1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, p + W), t, b1);
                b2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, p + (2 * W)), t, b2);
                b3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, p + (3 * W)), t, b3);
            }

            if (j < n)
            {
                nuint o = rows.Offset(j) + (nuint)col;
                var s = Vector512.Create(coefficients[j]);
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o), s, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o + W), s, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o + (2 * W)), s, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o + (3 * W)), s, a3);
            }

            nuint at = (nuint)col;
            (Vector512.LoadUnsafe(ref r, at) + a0 + b0).StoreUnsafe(ref r, at);
            (Vector512.LoadUnsafe(ref r, at + W) + a1 + b1).StoreUnsafe(ref r, at + W);
            (Vector512.LoadUnsafe(ref r, at + (2 * W)) + a2 + b2).StoreUnsafe(ref r, at + (2 * W));
            (Vector512.LoadUnsafe(ref r, at + (3 * W)) + a3 + b3).StoreUnsafe(ref r, at + (3 * W));
        }

        for (; col + W <= k; col += W)
        {
            Vector512<float> a = Vector512<float>.Zero, b = a;
            int j = 0;
            for (; j + 2 <= n; j += 2)
            {
                a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, rows.Offset(j) + (nuint)col), Vector512.Create(coefficients[j]), a);
                b = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, rows.Offset(j + 1) + (nuint)col), Vector512.Create(coefficients[j + 1]), b);
            }

            if (j < n)
            {
                a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, rows.Offset(j) + (nuint)col), Vector512.Create(coefficients[j]), a);
            }

            (Vector512.LoadUnsafe(ref r, (nuint)col) + a + b).StoreUnsafe(ref r, (nuint)col);
        }

        for (; col < k; col++)
        {
            float sum = 0f;
            for (int j = 0; j < n; j++)
            {
                sum += coefficients[j] * matrix[(int)rows.Offset(j) + col];
            }

            result[col] += sum;
        }
    }
}
