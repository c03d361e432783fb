using System.Numerics.Tensors;

namespace RecEngine.Kernels;

/// <summary>A symmetric positive definite linear operator x -> A x, applied without forming A.</summary>
internal interface ILinearOperator
{
    /// <summary>Writes A <paramref name="x"/> into <paramref name="result"/>.</summary>
    void Apply(ReadOnlySpan<float> x, Span<float> result);
}

/// <summary>An operator backed by a dense row-major n x n matrix (tests and small systems).</summary>
internal readonly struct DenseOperator(float[] matrix, int n) : ILinearOperator
{
    public void Apply(ReadOnlySpan<float> x, Span<float> result) => Simd.MultiplyRows(matrix.AsSpan(0, n * n), x, result[..n]);
}

/// <summary>
/// Conjugate gradient for A x = b with A symmetric positive definite (Hestenes and Stiefel 1952), warm-started
/// from the x passed in. A few steps from the previous solution are what implicit ALS needs (Takács, Pilászy and
/// Tikk 2011, "Applications of the conjugate gradient method for implicit feedback collaborative filtering").
/// </summary>
internal static class ConjugateGradient
{
    /// <summary>Number of floats of scratch space <see cref="Solve"/> needs for an n-dimensional system.</summary>
    public static int ScratchLength(int n) => 3 * n;

    /// <summary>
    /// Improves <paramref name="x"/> in place by at most <paramref name="maxSteps"/> CG steps; stops early when
    /// the squared residual norm falls below <paramref name="tolerance"/>.
    /// </summary>
    /// <returns>The number of steps taken.</returns>
    public static int Solve<TOperator>(ref TOperator a, ReadOnlySpan<float> b, Span<float> x, int maxSteps, float tolerance, Span<float> scratch)
        where TOperator : ILinearOperator, allows ref struct
    {
        int n = b.Length;
        if (x.Length != n)
        {
            throw new ArgumentException($"The solution must have length {n}.", nameof(x));
        }

        if (scratch.Length < ScratchLength(n))
        {
            throw new ArgumentException($"The scratch space must hold {ScratchLength(n)} floats.", nameof(scratch));
        }

        Span<float> r = scratch[..n];
        Span<float> p = scratch.Slice(n, n);
        Span<float> ap = scratch.Slice(2 * n, n);

        // r = b - A x; p = r.
        a.Apply(x, ap);
        TensorPrimitives.Subtract(b, ap, r);
        r.CopyTo(p);
        float rsOld = TensorPrimitives.Dot(r, r);
        int step = 0;
        while (step < maxSteps && rsOld > tolerance)
        {
            a.Apply(p, ap);
            float pAp = TensorPrimitives.Dot(p, ap);
            if (!(pAp > 0f))
            {
                break;
            }

            float alpha = rsOld / pAp;
            TensorPrimitives.MultiplyAdd(p, alpha, x, x);
            TensorPrimitives.MultiplyAdd(ap, -alpha, r, r);
            float rsNew = TensorPrimitives.Dot(r, r);
            step++;

            // p = r + (rsNew / rsOld) p
            TensorPrimitives.MultiplyAdd(p, rsNew / rsOld, r, p);
            rsOld = rsNew;
        }

        return step;
    }
}
