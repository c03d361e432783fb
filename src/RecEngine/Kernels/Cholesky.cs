using System.Numerics.Tensors;

namespace RecEngine.Kernels;

/// <summary>
/// Cholesky factorisation A = L Lᵀ and solve for small dense symmetric positive definite systems (the k x k
/// normal equations of ALS), in place on row-major storage.
/// </summary>
/// <remarks>
/// Cholesky–Crout by rows: every inner product runs over a contiguous prefix of two rows of L, so it is one SIMD
/// dot product. O(n³/3) flops for the factorisation and O(n²) for a solve; no allocation.
/// </remarks>
internal static class Cholesky
{
    /// <summary>
    /// Overwrites the lower triangle of the n x n row-major matrix <paramref name="a"/> with L (the strict upper
    /// triangle is left as it was and never read).
    /// </summary>
    /// <returns><see langword="false"/> when the matrix is not (numerically) positive definite.</returns>
    public static bool Factor(Span<float> a, int n)
    {
        CheckSquare(a.Length, n);
        for (int j = 0; j < n; j++)
        {
            ReadOnlySpan<float> rowJ = a.Slice(j * n, j);
            float diagonal = a[(j * n) + j] - TensorPrimitives.Dot(rowJ, rowJ);
            if (!(diagonal > 0f))
            {
                return false;
            }

            float pivot = MathF.Sqrt(diagonal);
            a[(j * n) + j] = pivot;
            float inverse = 1f / pivot;
            for (int i = j + 1; i < n; i++)
            {
                a[(i * n) + j] = (a[(i * n) + j] - TensorPrimitives.Dot(a.Slice(i * n, j), rowJ)) * inverse;
            }
        }

        return true;
    }

    /// <summary>Solves L Lᵀ x = b in place (<paramref name="b"/> becomes x) with the factor from <see cref="Factor"/>.</summary>
    public static void Solve(ReadOnlySpan<float> l, int n, Span<float> b)
    {
        CheckSquare(l.Length, n);
        if (b.Length != n)
        {
            throw new ArgumentException($"The right-hand side must have length {n}.", nameof(b));
        }

        // Forward: L z = b, each z_i needs the dot of row i's prefix with z.
        for (int i = 0; i < n; i++)
        {
            b[i] = (b[i] - TensorPrimitives.Dot(l.Slice(i * n, i), b[..i])) / l[(i * n) + i];
        }

        // Backward: Lᵀ x = z, column-oriented so that each step is a contiguous axpy over row i of L.
        for (int i = n - 1; i >= 0; i--)
        {
            b[i] /= l[(i * n) + i];
            TensorPrimitives.MultiplyAdd(l.Slice(i * n, i), -b[i], b[..i], b[..i]);
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
