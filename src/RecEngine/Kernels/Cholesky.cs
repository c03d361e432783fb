using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecEngine.Kernels;

/// <summary>
/// Cholesky factorisation A = Uᵀ U (U = Lᵀ upper triangular) and solve for small dense symmetric positive definite
/// systems (the k x k normal equations of ALS), in place on row-major storage.
/// </summary>
/// <remarks>
/// Right-looking by rows of U: after row j is scaled, every later row i is updated by one contiguous axpy
/// <c>A[i, i..n) -= U[j, i] · U[j, i..n)</c>, so the O(n³/3) flops are long FMA runs with no horizontal sums. The
/// 512-bit path updates whole vectors aligned to the end of the row; columns left of the diagonal that a vector
/// overlaps belong to the strict lower triangle, which is scratch space after factorisation. O(n²) per solve; no
/// allocation.
/// </remarks>
internal static class Cholesky
{
    /// <summary>
    /// Overwrites the upper triangle (diagonal included) of the n x n row-major symmetric matrix
    /// <paramref name="a"/> with U, A = UᵀU. Only the upper triangle of A is read; the strict lower triangle is
    /// overwritten with scratch values.
    /// </summary>
    /// <returns><see langword="false"/> when the matrix is not (numerically) positive definite.</returns>
    public static bool Factor(Span<float> a, int n)
    {
        CheckSquare(a.Length, n);
        ref float m = ref MemoryMarshal.GetReference(a);
        for (int j = 0; j < n; j++)
        {
            int rowJ = j * n;
            float diagonal = a[rowJ + j];
            if (!(diagonal > 0f) || !float.IsFinite(diagonal))
            {
                return false;
            }

            float pivot = MathF.Sqrt(diagonal);
            a[rowJ + j] = pivot;
            Span<float> tail = a.Slice(rowJ + j + 1, n - j - 1);
            TensorPrimitives.Multiply(tail, 1f / pivot, tail);
            for (int i = j + 1; i < n; i++)
            {
                float f = a[rowJ + i];
                if (f == 0f)
                {
                    continue;
                }

                // Row i, columns [i, n): A[i, c] -= f · U[j, c].
                int rowI = i * n;
                int c = n;
                if (Vector512.IsHardwareAccelerated)
                {
                    var scale = Vector512.Create(f);
                    while (c - Vector512<float>.Count >= 0 && c > i)
                    {
                        c -= Vector512<float>.Count;
                        Vector512<float> target = Vector512.LoadUnsafe(ref m, (nuint)(rowI + c));
                        Vector512.FusedMultiplyAdd(-scale, Vector512.LoadUnsafe(ref m, (nuint)(rowJ + c)), target).StoreUnsafe(ref m, (nuint)(rowI + c));
                    }
                }
                else if (Vector256.IsHardwareAccelerated)
                {
                    var scale = Vector256.Create(f);
                    while (c - Vector256<float>.Count >= 0 && c > i)
                    {
                        c -= Vector256<float>.Count;
                        Vector256<float> target = Vector256.LoadUnsafe(ref m, (nuint)(rowI + c));
                        Vector256.FusedMultiplyAdd(-scale, Vector256.LoadUnsafe(ref m, (nuint)(rowJ + c)), target).StoreUnsafe(ref m, (nuint)(rowI + c));
                    }
                }

                for (int col = i; col < c; col++)
                {
                    a[rowI + col] -= f * a[rowJ + col];
                }
            }
        }

        return true;
    }

    /// <summary>Solves UᵀU x = b in place (<paramref name="b"/> becomes x) with the factor from <see cref="Factor"/>.</summary>
    public static void Solve(ReadOnlySpan<float> u, int n, Span<float> b)
    {
        ForwardSubstitute(u, n, b);

        // Backward: U x = z, each x_i needs the dot of row i right of the diagonal with x.
        for (int i = n - 1; i >= 0; i--)
        {
            b[i] = (b[i] - TensorPrimitives.Dot(u.Slice((i * n) + i + 1, n - i - 1), b[(i + 1)..])) / u[(i * n) + i];
        }
    }

    /// <summary>
    /// Solves Uᵀ z = b in place (<paramref name="b"/> becomes z = L⁻¹ b): the forward half of <see cref="Solve"/>,
    /// column-oriented so each step is a contiguous axpy over a row of U.
    /// </summary>
    public static void ForwardSubstitute(ReadOnlySpan<float> u, int n, Span<float> b)
    {
        CheckSquare(u.Length, n);
        if (b.Length != n)
        {
            throw new ArgumentException($"The right-hand side must have length {n}.", nameof(b));
        }

        for (int p = 0; p < n; p++)
        {
            b[p] /= u[(p * n) + p];
            Span<float> rest = b[(p + 1)..];
            TensorPrimitives.MultiplyAdd(u.Slice((p * n) + p + 1, n - p - 1), -b[p], rest, rest);
        }
    }

    /// <summary>Reference: textbook Cholesky–Banachiewicz and substitution in double precision.</summary>
    public static bool SolveScalar(ReadOnlySpan<float> a, int n, Span<float> b)
    {
        var l = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = a[(i * n) + j];
                for (int p = 0; p < j; p++)
                {
                    sum -= l[(i * n) + p] * l[(j * n) + p];
                }

                if (i == j)
                {
                    if (sum <= 0)
                    {
                        return false;
                    }

                    l[(i * n) + i] = Math.Sqrt(sum);
                }
                else
                {
                    l[(i * n) + j] = sum / l[(j * n) + j];
                }
            }
        }

        var z = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            for (int p = 0; p < i; p++)
            {
                sum -= l[(i * n) + p] * z[p];
            }

            z[i] = sum / l[(i * n) + i];
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double sum = z[i];
            for (int p = i + 1; p < n; p++)
            {
                sum -= l[(p * n) + i] * z[p];
            }

            z[i] = sum / l[(i * n) + i];
        }

        for (int i = 0; i < n; i++)
        {
            b[i] = (float)z[i];
        }

        return true;
    }

    private static void CheckSquare(int length, int n)
    {
        if (n < 0 || length != n * n)
        {
            throw new ArgumentException($"Expected a {n} x {n} matrix ({n * n} values), got {length} values.", nameof(n));
        }
    }
}
