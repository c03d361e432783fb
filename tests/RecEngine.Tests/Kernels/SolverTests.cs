using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MathNet.Numerics.LinearAlgebra;
using RecEngine.Kernels;

namespace RecEngine.Tests.Kernels;

/// <summary>Cholesky and conjugate gradient against MathNet.Numerics' dense double-precision solver.</summary>
public sealed class SolverTests
{
    /// <summary>A random SPD matrix BᵀB + lambda I, as ALS normal equations are.</summary>
    private static (float[] A, float[] B, double[] Expected) RandomSystem(int n, int seed, double lambda = 0.1)
    {
        var random = new Random(seed);
        var b = Matrix<double>.Build.Dense(n + 5, n, (_, _) => (random.NextDouble() * 2) - 1);
        var a = (b.TransposeThisAndMultiply(b)) + (lambda * Matrix<double>.Build.DenseIdentity(n));
        var rhs = Vector<double>.Build.Dense(n, _ => (random.NextDouble() * 2) - 1);
        var expected = a.Cholesky().Solve(rhs);
        float[] af = new float[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                af[(i * n) + j] = (float)a[i, j];
            }
        }

        return (af, rhs.Select(v => (float)v).ToArray(), expected.ToArray());
    }

    private static void AssertClose(double[] expected, float[] actual, double tolerance)
    {
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * scale, $"x[{i}] = {actual[i]}, expected {expected[i]}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(17)]
    [InlineData(64)]
    [InlineData(128)]
    public void Cholesky_SolvesLikeMathNet(int n)
    {
        var (a, b, expected) = RandomSystem(n, seed: n);
        Assert.True(Cholesky.Factor(a, n));
        Cholesky.Solve(a, n, b);
        AssertClose(expected, b, 2e-3);
    }

    [Property(MaxTest = 60)]
    public Property Cholesky_FactorIsMathNetsTransposed_AndSolves_Meets_Specification() =>
        Prop.ForAll(Gen.Choose(0, 80).Zip(Gen.Choose(0, 10_000)).ToArbitrary(), c =>
        {
            (int n, int seed) = c;
            if (n == 0)
            {
                return Cholesky.Factor([], 0);
            }

            var (a, b, expected) = RandomSystem(n, seed);
            var reference = Matrix<double>.Build.Dense(n, n, (i, j) => a[(i * n) + j]).Cholesky().Factor;
            bool factored = Cholesky.Factor(a, n);
            double scale = reference.Enumerate().Max(Math.Abs);
            bool upperMatches = Enumerable.Range(0, n).All(i => Enumerable.Range(i, n - i).All(j => Math.Abs(a[(i * n) + j] - reference[j, i]) <= 1e-4 * scale));
            Cholesky.Solve(a, n, b);
            double solutionScale = expected.Max(Math.Abs);
            bool solved = expected.Select((e, i) => Math.Abs(e - b[i]) <= 2e-3 * solutionScale).All(ok => ok);
            return factored && upperMatches && solved;
        });

    [Theory]
    [InlineData(3)]
    [InlineData(64)]
    public void CholeskyScalarReference_SolvesLikeMathNet(int n)
    {
        var (a, b, expected) = RandomSystem(n, seed: 100 + n);
        Assert.True(Cholesky.SolveScalar(a, n, b));
        AssertClose(expected, b, 1e-4);
    }

    [Fact]
    public void Cholesky_NotPositiveDefinite_ReturnsFalse()
    {
        float[] a = [1f, 2f, 2f, 1f]; // eigenvalues 3 and -1
        Assert.False(Cholesky.Factor(a, 2));
    }

    [Property(MaxTest = 40)]
    public Property ConjugateGradient_ConvergesToTheSolution_Meets_Specification() =>
        Prop.ForAll(Gen.Choose(0, 80).Zip(Gen.Choose(0, 10_000)).ToArbitrary(), c =>
        {
            (int n, int seed) = c;
            if (n == 0)
            {
                var none = new DenseOperator([], 0);
                return ConjugateGradient.Solve(ref none, [], [], maxSteps: 3, tolerance: 1e-10f, []) == 0;
            }

            var (a, b, expected) = RandomSystem(n, seed, lambda: 1.0);
            var x = new float[n];
            var op = new DenseOperator(a, n);
            int steps = ConjugateGradient.Solve(ref op, b, x, maxSteps: 4 * n, tolerance: 1e-10f, new float[ConjugateGradient.ScratchLength(n)]);
            double scale = expected.Max(Math.Abs);
            return steps >= 1 && steps <= 4 * n && expected.Select((e, i) => Math.Abs(e - x[i]) <= 2e-3 * scale).All(ok => ok);
        });

    [Fact]
    public void ConjugateGradient_WarmStartAtSolution_TakesNoSteps()
    {
        const int n = 16;
        var (a, b, expected) = RandomSystem(n, seed: 3, lambda: 1.0);
        float[] x = expected.Select(v => (float)v).ToArray();
        var op = new DenseOperator(a, n);
        int steps = ConjugateGradient.Solve(ref op, b, x, maxSteps: 3, tolerance: 1e-6f, new float[ConjugateGradient.ScratchLength(n)]);
        Assert.Equal(0, steps);
    }

    [Fact]
    public void ConjugateGradient_ResidualNeverIncreasesOverSteps()
    {
        const int n = 32;
        var (a, b, _) = RandomSystem(n, seed: 11, lambda: 0.5);
        var op = new DenseOperator(a, n);
        double previous = double.MaxValue;
        for (int steps = 1; steps <= 8; steps++)
        {
            var x = new float[n];
            ConjugateGradient.Solve(ref op, b, x, steps, 0f, new float[ConjugateGradient.ScratchLength(n)]);
            var ax = new float[n];
            op.Apply(x, ax);
            // CG minimises the A-norm of the error, so the energy 1/2 xᵀAx - bᵀx must not increase.
            double energy = (0.5 * x.Zip(ax, (p, q) => (double)p * q).Sum()) - x.Zip(b, (p, q) => (double)p * q).Sum();
            Assert.True(energy <= previous + 1e-5, $"step {steps}: {energy} > {previous}");
            previous = energy;
        }
    }
}
