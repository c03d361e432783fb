using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecEngine.Kernels;

internal static partial class Simd
{
    /// <summary>
    /// destination[r] = matrix[r, :] . x for every row r of a row-major matrix with <c>x.Length</c> columns and
    /// <c>destination.Length</c> rows: scoring one user vector against a contiguous item factor matrix.
    /// </summary>
    /// <remarks>
    /// Four rows per pass share each load of <paramref name="x"/> and keep four independent FMA chains in flight;
    /// the column tail that does not fill a vector is summed in scalar code.
    /// </remarks>
    public static void MultiplyRows(ReadOnlySpan<float> matrix, ReadOnlySpan<float> x, Span<float> destination)
    {
        int columns = x.Length;
        int rows = destination.Length;
        CheckShape(matrix.Length, rows, columns, nameof(matrix));
        if (Vector512.IsHardwareAccelerated && columns >= Vector512<float>.Count)
        {
            MultiplyRows512(matrix, x, destination);
        }
        else if (Vector256.IsHardwareAccelerated && columns >= Vector256<float>.Count)
        {
            MultiplyRows256(matrix, x, destination);
        }
        else
        {
            MultiplyRowsScalar(matrix, x, destination);
        }
    }

    /// <summary>Reference for <see cref="MultiplyRows"/>.</summary>
    public static void MultiplyRowsScalar(ReadOnlySpan<float> matrix, ReadOnlySpan<float> x, Span<float> destination)
    {
        int columns = x.Length;
        CheckShape(matrix.Length, destination.Length, columns, nameof(matrix));
        for (int r = 0; r < destination.Length; r++)
        {
            destination[r] = DotScalar(matrix.Slice(r * columns, columns), x);
        }
    }

    private static void CheckShape(int matrixLength, int rows, int columns, string paramName)
    {
        if ((long)rows * columns != matrixLength)
        {
            throw new ArgumentException($"A {rows} x {columns} matrix needs {(long)rows * columns} values, not {matrixLength}.", paramName);
        }
    }

    private static void MultiplyRows512(ReadOnlySpan<float> matrix, ReadOnlySpan<float> x, Span<float> destination)
    {
        int columns = x.Length;
        int rows = destination.Length;
        int vectorEnd = columns - (columns % Vector512<float>.Count);
        ref float m = ref MemoryMarshal.GetReference(matrix);
        ref float xs = ref MemoryMarshal.GetReference(x);
        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            nuint o0 = (nuint)(r * columns);
            nuint o1 = o0 + (nuint)columns;
            nuint o2 = o1 + (nuint)columns;
            nuint o3 = o2 + (nuint)columns;
            Vector512<float> a0 = Vector512<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (int c = 0; c < vectorEnd; c += Vector512<float>.Count)
            {
                Vector512<float> xv = Vector512.LoadUnsafe(ref xs, (nuint)c);
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o0 + (nuint)c), xv, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o1 + (nuint)c), xv, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o2 + (nuint)c), xv, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o3 + (nuint)c), xv, a3);
            }

            destination[r] = Vector512.Sum(a0) + TailDot(ref m, o0, ref xs, vectorEnd, columns);
            destination[r + 1] = Vector512.Sum(a1) + TailDot(ref m, o1, ref xs, vectorEnd, columns);
            destination[r + 2] = Vector512.Sum(a2) + TailDot(ref m, o2, ref xs, vectorEnd, columns);
            destination[r + 3] = Vector512.Sum(a3) + TailDot(ref m, o3, ref xs, vectorEnd, columns);
        }

        for (; r < rows; r++)
        {
            nuint o = (nuint)(r * columns);
            Vector512<float> a = Vector512<float>.Zero;
            for (int c = 0; c < vectorEnd; c += Vector512<float>.Count)
            {
                a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref m, o + (nuint)c), Vector512.LoadUnsafe(ref xs, (nuint)c), a);
            }

            destination[r] = Vector512.Sum(a) + TailDot(ref m, o, ref xs, vectorEnd, columns);
        }
    }

    private static void MultiplyRows256(ReadOnlySpan<float> matrix, ReadOnlySpan<float> x, Span<float> destination)
    {
        int columns = x.Length;
        int rows = destination.Length;
        int vectorEnd = columns - (columns % Vector256<float>.Count);
        ref float m = ref MemoryMarshal.GetReference(matrix);
        ref float xs = ref MemoryMarshal.GetReference(x);
        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            nuint o0 = (nuint)(r * columns);
            nuint o1 = o0 + (nuint)columns;
            nuint o2 = o1 + (nuint)columns;
            nuint o3 = o2 + (nuint)columns;
            Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (int c = 0; c < vectorEnd; c += Vector256<float>.Count)
            {
                Vector256<float> xv = Vector256.LoadUnsafe(ref xs, (nuint)c);
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m, o0 + (nuint)c), xv, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m, o1 + (nuint)c), xv, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m, o2 + (nuint)c), xv, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m, o3 + (nuint)c), xv, a3);
            }

            destination[r] = Vector256.Sum(a0) + TailDot(ref m, o0, ref xs, vectorEnd, columns);
            destination[r + 1] = Vector256.Sum(a1) + TailDot(ref m, o1, ref xs, vectorEnd, columns);
            destination[r + 2] = Vector256.Sum(a2) + TailDot(ref m, o2, ref xs, vectorEnd, columns);
            destination[r + 3] = Vector256.Sum(a3) + TailDot(ref m, o3, ref xs, vectorEnd, columns);
        }

        for (; r < rows; r++)
        {
            nuint o = (nuint)(r * columns);
            Vector256<float> a = Vector256<float>.Zero;
            for (int c = 0; c < vectorEnd; c += Vector256<float>.Count)
            {
                a = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref m, o + (nuint)c), Vector256.LoadUnsafe(ref xs, (nuint)c), a);
            }

            destination[r] = Vector256.Sum(a) + TailDot(ref m, o, ref xs, vectorEnd, columns);
        }
    }

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
