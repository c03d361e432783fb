namespace RecEngine.Models.Factorization;

/// <summary>How ALS solves each row's k x k normal equations.</summary>
public enum AlsSolver
{
    /// <summary>
    /// A few conjugate-gradient steps warm-started from the previous factor (Takács, Pilászy and Tikk 2011).
    /// O(steps * (nnz_row * k + k²)) per row: the fast default.
    /// </summary>
    ConjugateGradient,

    /// <summary>The exact solution by Cholesky factorisation. O(nnz_row * k² + k³) per row.</summary>
    Cholesky,
}
