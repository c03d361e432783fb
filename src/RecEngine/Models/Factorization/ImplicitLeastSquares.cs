using System.Buffers;
using System.Numerics.Tensors;
using RecEngine.Kernels;

namespace RecEngine.Models.Factorization;

/// <summary>
/// The one row solve of implicit ALS, used by training half-steps and by fold-in alike (Hu, Koren and Volinsky
/// 2008, eq. 4): <c>x = (YᵀY + Yᵀ(Cᵤ - I)Y + λI)⁻¹ YᵀCᵤp(u)</c>, with confidence <c>c = 1 + α|r|</c> and preference
/// <c>p = 1</c> for r &gt; 0, else 0 (so negative feedback pulls the score towards 0 with extra confidence).
/// </summary>
/// <remarks>
/// Only the row's observed entries enter the sums: <c>YᵀY + λI</c> (the regularised Gram matrix) is computed once
/// per half-step and shared by every row, which is what makes implicit ALS linear in the number of interactions.
/// </remarks>
internal static class ImplicitLeastSquares
{
    private const int ChunkLength = 64;
    private const float ResidualTolerance = 1e-20f;

    /// <summary>Floats of scratch space one row solve needs.</summary>
    public static int ScratchLength(int k) => (k * k) + k + ConjugateGradient.ScratchLength(k);

    /// <summary>Solves one row; with <see cref="AlsSolver.ConjugateGradient"/>, <paramref name="x"/> is the warm start.</summary>
    /// <param name="solver">Exact Cholesky or warm-started CG.</param>
    /// <param name="cgSteps">CG steps when <paramref name="solver"/> is CG.</param>
    /// <param name="regularizedGram">YᵀY + λI of the other side, k x k row-major.</param>
    /// <param name="other">The other side's factors, row-major with k columns.</param>
    /// <param name="k">Number of factors.</param>
    /// <param name="indices">Rows of <paramref name="other"/> this row interacted with.</param>
    /// <param name="values">The interaction values r, aligned with <paramref name="indices"/>.</param>
    /// <param name="alpha">Confidence weight α.</param>
    /// <param name="x">The row's factors: the warm start in, the solution out.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    public static void Solve(
        AlsSolver solver, int cgSteps, ReadOnlySpan<float> regularizedGram, ReadOnlySpan<float> other, int k,
        ReadOnlySpan<int> indices, ReadOnlySpan<float> values, float alpha, Span<float> x, Span<float> scratch)
    {
        if (indices.IsEmpty)
        {
            // No observations: the objective is minimised by x = 0 (every prediction 0 with confidence 1).
            x.Clear();
            return;
        }

        Span<float> b = scratch.Slice(k * k, k);
        RightHandSide(other, k, indices, values, alpha, b);
        if (solver == AlsSolver.Cholesky)
        {
            Span<float> a = scratch[..(k * k)];
            regularizedGram.CopyTo(a);
            AddConfidenceTerms(a, other, k, indices, values, alpha);
            if (Cholesky.Factor(a, k))
            {
                Cholesky.Solve(a, k, b);
                b.CopyTo(x);
            }

            return;
        }

        // The weights c_j - 1 = α|r_j| are the same in every CG step: compute them once per row.
        float[] weights = ArrayPool<float>.Shared.Rent(indices.Length);
        try
        {
            Span<float> w = weights.AsSpan(0, indices.Length);
            for (int j = 0; j < w.Length; j++)
            {
                w[j] = alpha * MathF.Abs(values[j]);
            }

            var op = new NormalEquations(regularizedGram, other, indices, w);
            ConjugateGradient.Solve(ref op, b, x, cgSteps, ResidualTolerance, scratch.Slice((k * k) + k, ConjugateGradient.ScratchLength(k)));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(weights);
        }
    }

    /// <summary>b = Σ c_j p_j y_j over the row's entries.</summary>
    public static void RightHandSide(ReadOnlySpan<float> other, int k, ReadOnlySpan<int> indices, ReadOnlySpan<float> values, float alpha, Span<float> b)
    {
        b.Clear();
        for (int j = 0; j < indices.Length; j++)
        {
            float r = values[j];
            if (r > 0f)
            {
                TensorPrimitives.MultiplyAdd(other.Slice(indices[j] * k, k), 1f + (alpha * r), b, b);
            }
        }
    }

    /// <summary>a += Σ (c_j - 1) y_j y_jᵀ, in chunks so the weights fit on the stack.</summary>
    public static void AddConfidenceTerms(Span<float> a, ReadOnlySpan<float> other, int k, ReadOnlySpan<int> indices, ReadOnlySpan<float> values, float alpha)
    {
        Span<float> weights = stackalloc float[ChunkLength];
        for (int start = 0; start < indices.Length; start += ChunkLength)
        {
            int n = Math.Min(ChunkLength, indices.Length - start);
            for (int j = 0; j < n; j++)
            {
                weights[j] = alpha * MathF.Abs(values[start + j]);
            }

            Simd.AddWeightedOuterProducts(a, other, k, indices.Slice(start, n), weights[..n]);
        }
    }

    /// <summary>x -> (YᵀY + λI) x + Σ (c_j - 1)(y_j · x) y_j, without forming the matrix.</summary>
    private readonly ref struct NormalEquations(
        ReadOnlySpan<float> gram, ReadOnlySpan<float> other, ReadOnlySpan<int> indices, ReadOnlySpan<float> weights) : ILinearOperator
    {
        private readonly ReadOnlySpan<float> _gram = gram;
        private readonly ReadOnlySpan<float> _other = other;
        private readonly ReadOnlySpan<int> _indices = indices;
        private readonly ReadOnlySpan<float> _weights = weights;

        public void Apply(ReadOnlySpan<float> x, Span<float> result)
        {
            Simd.MultiplyRows(_gram, x, result);
            Simd.AddProjections(result, _other, _indices, _weights, x);
        }
    }
}
