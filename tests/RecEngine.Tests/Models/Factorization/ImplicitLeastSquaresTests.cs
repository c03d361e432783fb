using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RecEngine.Kernels;
using RecEngine.Models.Factorization;

namespace RecEngine.Tests.Models.Factorization;

public sealed class ImplicitLeastSquaresTests
{
    /// <summary>
    /// The conjugate-gradient row solve never forms the k x k matrix (it applies it through the gathered-row
    /// kernels); run to convergence from zero it must reach the exact Cholesky solve of the same normal equations.
    /// Shapes cover k around the vector width, empty rows, repeated items and negative feedback.
    /// </summary>
    [Property(MaxTest = 80)]
    public Property ConjugateGradientRowSolve_ConvergesToTheCholeskyRowSolve_Meets_Specification()
    {
        Gen<(int K, int Seed, int Entries)> cases =
            from k in Gen.Elements(1, 3, 15, 16, 17, 32, 64, 70)
            from seed in Gen.Choose(0, 10_000)
            from entries in Gen.Choose(0, 60)
            select (k, seed, entries);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var random = new Random(c.Seed);
            const int otherRows = 50;
            float[] other = Enumerable.Range(0, otherRows * c.K).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            int[] indices = Enumerable.Range(0, c.Entries).Select(_ => random.Next(otherRows)).ToArray();
            float[] values = indices.Select(_ => random.NextDouble() < 0.15 ? -1f : 1f + random.Next(4)).ToArray();
            var gram = new float[c.K * c.K];
            Simd.Gram(other, otherRows, c.K, gram);
            for (int i = 0; i < c.K; i++)
            {
                gram[(i * c.K) + i] += 0.1f;
            }

            var scratch = new float[ImplicitLeastSquares.ScratchLength(c.K, c.Entries)];
            var exact = new float[c.K];
            ImplicitLeastSquares.Solve(AlsSolver.Cholesky, 0, gram, other, c.K, indices, values, 2f, exact, scratch);
            var iterative = new float[c.K];
            ImplicitLeastSquares.Solve(AlsSolver.ConjugateGradient, 3 * c.K, gram, other, c.K, indices, values, 2f, iterative, scratch);
            double scale = Math.Max(1e-3, exact.Max(Math.Abs));
            return exact.Zip(iterative).All(p => Math.Abs(p.First - p.Second) <= 2e-3 * scale);
        });
    }
}
