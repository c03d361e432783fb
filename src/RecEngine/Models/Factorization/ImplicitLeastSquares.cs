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
/// The conjugate-gradient operator applies <c>(YᵀY + λI) v + Yᵤᵀ (W (Yᵤ v))</c> with two gathered-row kernels
/// (all dot products of the row's factors with v, then one register-resident linear combination), so no k x k
/// matrix is formed per row.
/// </remarks>
internal static class ImplicitLeastSquares
{
    private const float ResidualTolerance = 1e-20f;

    /// <summary>Floats of scratch space one row solve needs for rows of up to <paramref name="maxEntries"/> entries.</summary>
    public static int ScratchLength(int k, int maxEntries) => (k * k) + k + ConjugateGradient.ScratchLength(k) + (2 * maxEntries);

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
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats for <c>indices.Length</c> entries.</param>
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

        int n = indices.Length;
        int entries = (k * k) + k + ConjugateGradient.ScratchLength(k);
        Span<float> b = scratch.Slice(k * k, k);
        Span<float> weights = scratch.Slice(entries, n);
        Span<float> work = scratch.Slice(entries + n, n);
        RightHandSide(other, k, indices, values, alpha, b, work);
        if (solver == AlsSolver.Cholesky)
        {
            Span<float> a = scratch[..(k * k)];
            regularizedGram.CopyTo(a);
            AddConfidenceTerms(a, other, k, indices, values, alpha, weights);
            if (Cholesky.Factor(a, k))
            {
                Cholesky.Solve(a, k, b);
                b.CopyTo(x);
            }

            return;
        }

        ConfidenceWeights(values, alpha, weights);
        var op = new NormalEquations(regularizedGram, other, indices, weights, work);
        ConjugateGradient.Solve(ref op, b, x, cgSteps, ResidualTolerance, scratch.Slice((k * k) + k, ConjugateGradient.ScratchLength(k)));
    }

    /// <summary>
    /// The exact (Cholesky) solve of <see cref="Solve"/> with the confidence terms Σ α|r| y yᵀ given (upper triangle,
    /// double precision, <paramref name="terms"/>) rather than built from the history: a = λI + YᵀY + terms.
    /// </summary>
    public static void SolveWithTerms(
        ReadOnlySpan<float> regularizedGram, ReadOnlySpan<double> terms, ReadOnlySpan<float> other, int k,
        ReadOnlySpan<int> indices, ReadOnlySpan<float> values, float alpha, Span<float> x, Span<float> scratch)
    {
        if (indices.IsEmpty)
        {
            x.Clear();
            return;
        }

        Span<float> a = scratch[..(k * k)];
        Span<float> b = scratch.Slice(k * k, k);
        RightHandSide(other, k, indices, values, alpha, b, scratch.Slice((k * k) + k, indices.Length));
        TensorPrimitives.ConvertTruncating(terms, a);
        TensorPrimitives.Add(a, regularizedGram, a);

        if (Cholesky.Factor(a, k))
        {
            Cholesky.Solve(a, k, b);
            b.CopyTo(x);
        }
    }

    /// <summary>b = Σ c_j p_j y_j over the row's entries; <paramref name="work"/> holds one float per entry.</summary>
    public static void RightHandSide(ReadOnlySpan<float> other, int k, ReadOnlySpan<int> indices, ReadOnlySpan<float> values, float alpha, Span<float> b, Span<float> work)
    {
        Span<float> coefficients = work[..indices.Length];
        for (int j = 0; j < coefficients.Length; j++)
        {
            float r = values[j];
            coefficients[j] = r > 0f ? 1f + (alpha * r) : 0f;
        }

        b.Clear();
        Simd.AddRowCombination(b[..k], other, indices, coefficients);
    }

    /// <summary>
    /// a += Σ (c_j - 1) y_j y_jᵀ, the per-row part of the exact normal matrix, on and above the diagonal (all that
    /// <see cref="Cholesky.Factor"/> reads). <paramref name="weights"/> is scratch of one float per entry.
    /// </summary>
    public static void AddConfidenceTerms(Span<float> a, ReadOnlySpan<float> other, int k, ReadOnlySpan<int> indices, ReadOnlySpan<float> values, float alpha, Span<float> weights)
    {
        ConfidenceWeights(values, alpha, weights);
        Simd.AddWeightedOuterProducts(a, other, k, indices, weights[..indices.Length], upperOnly: true);
    }

    /// <summary>weights[j] = c_j - 1 = α|r_j|.</summary>
    private static void ConfidenceWeights(ReadOnlySpan<float> values, float alpha, Span<float> weights)
    {
        for (int j = 0; j < values.Length; j++)
        {
            weights[j] = alpha * MathF.Abs(values[j]);
        }
    }

    /// <summary>v -> (YᵀY + λI) v + Σ (c_j - 1)(y_j · v) y_j, without forming the matrix.</summary>
    private readonly ref struct NormalEquations(
        ReadOnlySpan<float> gram, ReadOnlySpan<float> other, ReadOnlySpan<int> indices, ReadOnlySpan<float> weights, Span<float> work) : ILinearOperator
    {
        private readonly ReadOnlySpan<float> _gram = gram;
        private readonly ReadOnlySpan<float> _other = other;
        private readonly ReadOnlySpan<int> _indices = indices;
        private readonly ReadOnlySpan<float> _weights = weights;
        private readonly Span<float> _work = work;

        public void Apply(ReadOnlySpan<float> v, Span<float> result)
        {
            // The Gram matrix is symmetric, so Gᵀv = Gv needs no horizontal sums.
            Simd.MultiplyTransposed(_gram, v, result);
            Simd.MultiplyRows(_other, _indices, v, _work);
            TensorPrimitives.Multiply(_work, _weights, _work);
            Simd.AddRowCombination(result, _other, _indices, _work);
        }
    }
}
