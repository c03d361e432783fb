using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RecEngine.Kernels;

internal static partial class Simd
{
    /// <summary>
    /// destination[r] = matrix[r, :] . x for every row r of a row-major matrix with <c>x.Length</c> columns and
    /// <c>destination.Length</c> rows: scoring one user vector against a contiguous item factor matrix.
    /// </summary>
    /// <remarks>
    /// Four rows per pass share each load of <paramref name="x"/> and keep four independent FMA chains in flight;
    /// the four accumulators are reduced together by a horizontal-add tree and stored as one 128-bit vector, which
    /// costs about a quarter of four separate horizontal sums. Column tails shorter than a vector are scalar.
    /// </remarks>
    public static void MultiplyRows(ReadOnlySpan<float> matrix, ReadOnlySpan<float> x, Span<float> destination)
    {
        CheckShape(matrix.Length, destination.Length, x.Length, nameof(matrix));
        Dots(matrix, new ContiguousRows(destination.Length, x.Length), x, destination);
    }

    /// <summary>
    /// destination[j] = matrix[rows[j], :] . x: the dot products of a gathered set of rows (a user's items) with one
    /// vector, as the implicit-ALS operator needs them.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A row index is outside the matrix.</exception>
    public static void MultiplyRows(ReadOnlySpan<float> matrix, ReadOnlySpan<int> rows, ReadOnlySpan<float> x, Span<float> destination)
    {
        CheckDestination(rows.Length, destination.Length, nameof(destination));
        Dots(matrix, GatheredRows.Create(rows, x.Length, matrix.Length, nameof(rows)), x, destination);
    }

    /// <summary>Reference for <see cref="MultiplyRows(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>.</summary>
    public static void MultiplyRowsScalar(ReadOnlySpan<float> matrix, ReadOnlySpan<float> x, Span<float> destination)
    {
        int columns = x.Length;
        CheckShape(matrix.Length, destination.Length, columns, nameof(matrix));
        for (int r = 0; r < destination.Length; r++)
        {
            destination[r] = DotScalar(matrix.Slice(r * columns, columns), x);
        }
    }

    /// <summary>Reference for <see cref="MultiplyRows(ReadOnlySpan{float}, ReadOnlySpan{int}, ReadOnlySpan{float}, Span{float})"/>.</summary>
    public static void MultiplyRowsScalar(ReadOnlySpan<float> matrix, ReadOnlySpan<int> rows, ReadOnlySpan<float> x, Span<float> destination)
    {
        int columns = x.Length;
        for (int j = 0; j < rows.Length; j++)
        {
            destination[j] = DotScalar(matrix.Slice(rows[j] * columns, columns), x);
        }
    }

    private static void CheckShape(int matrixLength, int rows, int columns, string paramName)
    {
        if ((long)rows * columns != matrixLength)
        {
            throw new ArgumentException($"A {rows} x {columns} matrix needs {(long)rows * columns} values, not {matrixLength}.", paramName);
        }
    }

    private static void Dots<TRows>(ReadOnlySpan<float> matrix, TRows rows, ReadOnlySpan<float> x, Span<float> destination)
        where TRows : IRowOffsets, allows ref struct
    {
        if (Vector512.IsHardwareAccelerated && x.Length >= Vector512<float>.Count)
        {
            Dots512(matrix, rows, x, destination);
        }
        else if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<float>.Count)
        {
            Dots256(matrix, rows, x, destination);
        }
        else
        {
            for (int j = 0; j < rows.Count; j++)
            {
                destination[j] = DotScalar(matrix.Slice((int)rows.Offset(j), x.Length), x);
            }
        }
    }

    private static void Dots512<TRows>(ReadOnlySpan<float> matrix, TRows rows, ReadOnlySpan<float> x, Span<float> destination)
        where TRows : IRowOffsets, allows ref struct
    {
        int columns = x.Length;
        int n = rows.Count;
        int vectorEnd = columns - (columns % Vector512<float>.Count);
        ref float m = ref MemoryMarshal.GetReference(matrix);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            nuint o0 = rows.Offset(j), o1 = rows.Offset(j + 1), o2 = rows.Offset(j + 2), o3 = rows.Offset(j + 3);
            Vector512<float> a0 = Vector512<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (int c = 0; c < vectorEnd; c += Vector512<float>.Count)
            {
                Vector512<float> xv = Vector512.LoadUnsafe(ref xs, (nuint)c);
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o0 + (nuint)c), xv, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o1 + (nuint)c), xv, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o2 + (nuint)c), xv, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o3 + (nuint)c), xv, a3);
            }

            Vector128<float> sums = Sum4(a0.GetLower() + a0.GetUpper(), a1.GetLower() + a1.GetUpper(), a2.GetLower() + a2.GetUpper(), a3.GetLower() + a3.GetUpper());
            if (vectorEnd < columns)
            {
                sums += Vector128.Create(TailDot(ref m, o0, ref xs, vectorEnd, columns), TailDot(ref m, o1, ref xs, vectorEnd, columns), TailDot(ref m, o2, ref xs, vectorEnd, columns), TailDot(ref m, o3, ref xs, vectorEnd, columns));
            }

            sums.StoreUnsafe(ref d, (nuint)j);
        }

        for (; j < n; j++)
        {
            nuint o = rows.Offset(j);
            Vector512<float> a = Vector512<float>.Zero;
            for (int c = 0; c < vectorEnd; c += Vector512<float>.Count)
            {
                a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o + (nuint)c), Vector512.LoadUnsafe(ref xs, (nuint)c), a);
            }

            Unsafe.Add(ref d, j) = Sum1(a.GetLower() + a.GetUpper()) + TailDot(ref m, o, ref xs, vectorEnd, columns);
        }
    }

    private static void Dots256<TRows>(ReadOnlySpan<float> matrix, TRows rows, ReadOnlySpan<float> x, Span<float> destination)
        where TRows : IRowOffsets, allows ref struct
    {
        int columns = x.Length;
        int n = rows.Count;
        int vectorEnd = columns - (columns % Vector256<float>.Count);
        ref float m = ref MemoryMarshal.GetReference(matrix);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float d = ref MemoryMarshal.GetReference(destination);
        int j = 0;
        for (; j + 4 <= n; j += 4)
        {
            nuint o0 = rows.Offset(j), o1 = rows.Offset(j + 1), o2 = rows.Offset(j + 2), o3 = rows.Offset(j + 3);
            Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (int c = 0; c < vectorEnd; c += Vector256<float>.Count)
            {
                Vector256<float> xv = Vector256.LoadUnsafe(ref xs, (nuint)c);
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m, o0 + (nuint)c), xv, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m, o1 + (nuint)c), xv, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m, o2 + (nuint)c), xv, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m, o3 + (nuint)c), xv, a3);
            }

            Vector128<float> sums = Sum4(a0, a1, a2, a3);
            if (vectorEnd < columns)
            {
                sums += Vector128.Create(TailDot(ref m, o0, ref xs, vectorEnd, columns), TailDot(ref m, o1, ref xs, vectorEnd, columns), TailDot(ref m, o2, ref xs, vectorEnd, columns), TailDot(ref m, o3, ref xs, vectorEnd, columns));
            }

            sums.StoreUnsafe(ref d, (nuint)j);
        }

        for (; j < n; j++)
        {
            nuint o = rows.Offset(j);
            Vector256<float> a = Vector256<float>.Zero;
            for (int c = 0; c < vectorEnd; c += Vector256<float>.Count)
            {
                a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m, o + (nuint)c), Vector256.LoadUnsafe(ref xs, (nuint)c), a);
            }

            Unsafe.Add(ref d, j) = Sum1(a) + TailDot(ref m, o, ref xs, vectorEnd, columns);
        }
    }

    /// <summary>[Σ a0, Σ a1, Σ a2, Σ a3] by a tree of horizontal adds (within 128-bit lanes, then across them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Sum4(Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3)
    {
        if (Avx.IsSupported)
        {
            Vector256<float> h = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
            return h.GetLower() + h.GetUpper();
        }

        return Vector128.Create(Vector256.Sum(a0), Vector256.Sum(a1), Vector256.Sum(a2), Vector256.Sum(a3));
    }

    /// <summary>
    /// The sum of one accumulator in exactly the order <see cref="Sum4"/> sums each of its four, so that a row's
    /// result does not depend on whether it was reduced alone or in a group of four (gathered re-scoring of a few
    /// rows then reproduces contiguous scoring bit for bit).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sum1(Vector256<float> a) => Sum4(a, Vector256<float>.Zero, Vector256<float>.Zero, Vector256<float>.Zero).ToScalar();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float TailDot(ref float m, nuint rowOffset, ref float x, int from, int to)
    {
        float sum = 0f;
        for (int c = from; c < to; c++)
        {
            sum += Unsafe.Add(ref m, rowOffset + (nuint)c) * Unsafe.Add(ref x, c);
        }

        return sum;
    }
}
