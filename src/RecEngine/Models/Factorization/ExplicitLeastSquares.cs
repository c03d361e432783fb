using System.Numerics.Tensors;
using RecEngine.Kernels;

namespace RecEngine.Models.Factorization;

/// <summary>
/// The row solve of explicit ALS-WR with biases (Zhou et al. 2008, "Large-scale parallel collaborative filtering
/// for the Netflix prize", eq. 5, with the bias terms of Koren, Bell and Volinsky 2009): for a user u with ratings
/// r_uj, unknowns z = [x_u; b_u] and features ỹ_j = [y_j; 1] give
/// <c>(Σ ỹ_j ỹ_jᵀ + n_u diag(λ, …, λ, λ_b)) z = Σ (r_uj - μ - b_j) ỹ_j</c>. Items are solved the same way with the
/// roles swapped.
/// </summary>
/// <remarks>
/// The (k+1) x (k+1) matrix is assembled from its k x k block Σ y yᵀ (the SIMD outer-product kernel), the border
/// Σ y and the corner n, so k stays the kernels' vector-friendly width.
/// </remarks>
internal static class ExplicitLeastSquares
{
    /// <summary>Floats of scratch space one row solve needs.</summary>
    public static int ScratchLength(int k) => (k * k) + ((k + 1) * (k + 1)) + (k + 1);

    /// <summary>Solves one row.</summary>
    /// <param name="other">The other side's factors, row-major with k columns.</param>
    /// <param name="otherBias">The other side's biases (ignored without biases).</param>
    /// <param name="k">Number of factors.</param>
    /// <param name="indices">Rows of the other side this row rated.</param>
    /// <param name="ratings">The ratings, aligned with <paramref name="indices"/>.</param>
    /// <param name="mean">Global mean μ (0 without biases).</param>
    /// <param name="lambda">Factor regularisation λ (scaled by the count here).</param>
    /// <param name="biasLambda">Bias regularisation λ_b (scaled by the count here).</param>
    /// <param name="useBiases">Whether to solve for the row's bias.</param>
    /// <param name="x">Receives the row's factors.</param>
    /// <param name="bias">Receives the row's bias (0 without biases).</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    public static void Solve(
        ReadOnlySpan<float> other, ReadOnlySpan<float> otherBias, int k, ReadOnlySpan<int> indices, ReadOnlySpan<float> ratings,
        float mean, float lambda, float biasLambda, bool useBiases, Span<float> x, out float bias, Span<float> scratch)
    {
        bias = 0f;
        int n = indices.Length;
        if (n == 0)
        {
            x.Clear();
            return;
        }

        int d = useBiases ? k + 1 : k;
        Span<float> block = scratch[..(k * k)];
        Span<float> a = scratch.Slice(k * k, d * d);
        Span<float> b = scratch.Slice((k * k) + (d * d), d);
        block.Clear();
        Simd.AddWeightedOuterProducts(block, other, k, indices, default, upperOnly: true);
        b.Clear();
        float targetSum = 0f;
        for (int j = 0; j < n; j++)
        {
            float target = ratings[j] - (useBiases ? mean + otherBias[indices[j]] : 0f);
            ReadOnlySpan<float> y = other.Slice(indices[j] * k, k);
            TensorPrimitives.MultiplyAdd(y, target, b[..k], b[..k]);
            targetSum += target;
        }

        for (int i = 0; i < k; i++)
        {
            block.Slice(i * k, k).CopyTo(a.Slice(i * d, k));
            a[(i * d) + i] += lambda * n;
        }

        if (useBiases)
        {
            // Border Σ y_j (row and column k) and corner n + n λ_b.
            Span<float> sum = stackalloc float[k];
            for (int j = 0; j < n; j++)
            {
                TensorPrimitives.Add(sum, other.Slice(indices[j] * k, k), sum);
            }

            for (int i = 0; i < k; i++)
            {
                a[(i * d) + k] = sum[i];
                a[(k * d) + i] = sum[i];
            }

            a[(k * d) + k] = n + (biasLambda * n);
            b[k] = targetSum;
        }

        if (!Cholesky.Factor(a, d))
        {
            return;
        }

        Cholesky.Solve(a, d, b);
        b[..k].CopyTo(x);
        bias = useBiases ? b[k] : 0f;
    }
}
