using System.Numerics.Tensors;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RecEngine.Data;
using RecEngine.Models.Factorization;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Models.Factorization;

/// <summary>
/// Alternating least squares never increases its regularised objective: after every half-step (users, then items)
/// of explicit and implicit ALS on random small datasets, the objective — computed here in double from its textbook
/// definition over every cell, not by the library — is at most what it was before, up to float round-off. The
/// half-steps are driven one at a time through the trainers' row solves, and the factors they end with are checked
/// to be bit for bit those of <c>Fit</c>, so the sequence examined is the one training runs.
/// </summary>
public sealed class AlsObjectiveProperties
{
    /// <summary>How far an objective may rise from float round-off: relative to its size, plus a tiny floor.</summary>
    private static bool NotAbove(double after, double before) => after <= before + (1e-6 * Math.Abs(before)) + 1e-9;

    private sealed record ImplicitCase(SmallDataset Data, ImplicitAlsOptions Options)
    {
        public override string ToString() =>
            $"k={Options.Factors} λ={Options.Regularization} α={Options.Alpha} {Options.Solver}/{Options.ConjugateGradientSteps} {Options.Values} sweeps {Options.Iterations} seed {Options.Seed}: {Data}";
    }

    private static readonly Gen<ImplicitCase> ImplicitCases =
        from data in SmallDatasets.Of(SmallValues.Events)
        from k in Gen.Choose(1, 6)
        from lambda in Gen.Elements(0.01f, 0.1f, 1f)
        from alpha in Gen.Elements(0f, 1f, 4f, 40f)
        from solver in Gen.Elements(AlsSolver.Cholesky, AlsSolver.ConjugateGradient)
        from steps in Gen.Choose(1, 4)
        from values in Gen.Elements(Enum.GetValues<MatrixValues>())
        from iterations in Gen.Choose(1, 6)
        from seed in Gen.Choose(0, 1000)
        select new ImplicitCase(data, new ImplicitAlsOptions
        {
            Factors = k,
            Regularization = lambda,
            Alpha = alpha,
            Solver = solver,
            ConjugateGradientSteps = steps,
            Values = values,
            Iterations = iterations,
            InitialScale = 0.3f,
            Seed = seed,
            DegreeOfParallelism = 1,
        });

    /// <summary>
    /// Hu, Koren and Volinsky 2008, eq. 3: Σ_{u,i} c_ui (p_ui − x_uᵀy_i)² + λ (Σ_u ‖x_u‖² + Σ_i ‖y_i‖²) over every cell,
    /// with c = 1 + α|r| and p = [r &gt; 0] for an observed (summed) value r, and c = 1, p = 0 for an unobserved cell.
    /// </summary>
    private static double ImplicitObjective(double[,] values, bool[,] observed, float[] x, float[] y, int k, double alpha, double lambda)
    {
        int users = values.GetLength(0), items = values.GetLength(1);
        double loss = 0;
        for (int u = 0; u < users; u++)
        {
            for (int i = 0; i < items; i++)
            {
                double r = values[u, i];
                double c = observed[u, i] ? 1 + (alpha * Math.Abs(r)) : 1;
                double p = observed[u, i] && r > 0 ? 1 : 0;
                double error = p - Dot(x, u, y, i, k);
                loss += c * error * error;
            }
        }

        return loss + (lambda * (SquaredNorm(x) + SquaredNorm(y)));
    }

    private static double Dot(float[] x, int u, float[] y, int i, int k)
    {
        double dot = 0;
        for (int f = 0; f < k; f++)
        {
            dot += (double)x[(u * k) + f] * y[(i * k) + f];
        }

        return dot;
    }

    private static double SquaredNorm(ReadOnlySpan<float> v)
    {
        double sum = 0;
        foreach (float f in v)
        {
            sum += (double)f * f;
        }

        return sum;
    }

    /// <summary>The item factors training starts from: uniform in [−scale, scale) from the seed, as <c>Fit</c> draws them.</summary>
    private static float[] InitialItems(int items, int k, int seed, float scale)
    {
        var random = new Random(seed);
        var factors = new float[items * k];
        for (int i = 0; i < factors.Length; i++)
        {
            factors[i] = (float)((random.NextDouble() * 2) - 1) * scale;
        }

        return factors;
    }

    [Property(MaxTest = 200)]
    public Property ImplicitAls_ObjectiveNeverIncreases_AfterAnyHalfStep_Meets_Specification() =>
        Prop.ForAll(ImplicitCases.ToArbitrary(), c =>
        {
            ImplicitAlsOptions o = c.Options;
            int k = o.Factors;
            InteractionDataset data = c.Data.Build();
            var matrix = InteractionMatrix.Build(data, o.Values, DuplicatePolicy.Sum);
            var values = new double[matrix.Rows, matrix.Columns];
            var observed = new bool[matrix.Rows, matrix.Columns];
            for (int u = 0; u < matrix.Rows; u++)
            {
                ReadOnlySpan<int> items = matrix.RowColumns(u);
                for (int j = 0; j < items.Length; j++)
                {
                    values[u, items[j]] = matrix.RowValues(u)[j];
                    observed[u, items[j]] = true;
                }
            }

            var users = new float[matrix.Rows * k];
            float[] itemFactors = InitialItems(matrix.Columns, k, o.Seed, o.InitialScale);
            var trainer = new ImplicitAlsRecommender.AlsTrainer(o, matrix, CancellationToken.None);
            var gram = new float[k * k];
            double before = ImplicitObjective(values, observed, users, itemFactors, k, o.Alpha, o.Regularization);
            for (int sweep = 1; sweep <= o.Iterations; sweep++)
            {
                trainer.SolveUsers(users, itemFactors, gram);
                double afterUsers = ImplicitObjective(values, observed, users, itemFactors, k, o.Alpha, o.Regularization);
                Assert.True(NotAbove(afterUsers, before), $"sweep {sweep}, user half-step: {before:R} -> {afterUsers:R}");
                trainer.SolveItems(itemFactors, users, gram);
                double afterItems = ImplicitObjective(values, observed, users, itemFactors, k, o.Alpha, o.Regularization);
                Assert.True(NotAbove(afterItems, afterUsers), $"sweep {sweep}, item half-step: {afterUsers:R} -> {afterItems:R}");
                before = afterItems;
            }

            // The half-steps above are the training: Fit ends with the same factors, bit for bit.
            var model = new ImplicitAlsRecommender(o);
            model.Fit(data);
            var row = new float[k];
            for (int u = 0; u < matrix.Rows; u++)
            {
                Assert.True(model.TryGetUserFactors(data.Users.GetId(u), row));
                Assert.Equal(users.AsSpan(u * k, k).ToArray(), row);
            }

            for (int i = 0; i < matrix.Columns; i++)
            {
                Assert.True(model.TryGetItemFactors(data.Items.GetId(i), row));
                Assert.Equal(itemFactors.AsSpan(i * k, k).ToArray(), row);
            }

            return true;
        });

    private sealed record ExplicitCase(SmallDataset Data, ExplicitAlsOptions Options)
    {
        public override string ToString() =>
            $"k={Options.Factors} λ={Options.Regularization} λb={Options.BiasRegularization} biases {Options.UseBiases} sweeps {Options.Iterations} seed {Options.Seed}: {Data}";
    }

    private static readonly Gen<ExplicitCase> ExplicitCases =
        from data in SmallDatasets.Of(SmallValues.Ratings)
        from k in Gen.Choose(1, 6)
        from lambda in Gen.Elements(0.01f, 0.1f, 1f)
        from biasLambda in Gen.Elements(0.01f, 0.07f, 1f)
        from biases in Gen.Elements(true, false)
        from iterations in Gen.Choose(1, 6)
        from seed in Gen.Choose(0, 1000)
        select new ExplicitCase(data, new ExplicitAlsOptions
        {
            Factors = k,
            Regularization = lambda,
            BiasRegularization = biasLambda,
            UseBiases = biases,
            Iterations = iterations,
            InitialScale = 0.3f,
            Seed = seed,
            DegreeOfParallelism = 1,
        });

    /// <summary>
    /// ALS-WR with biases (Zhou et al. 2008; Koren, Bell and Volinsky 2009): Σ_observed (r − μ − b_u − b_i − x_uᵀy_i)²
    /// + λ (Σ_u n_u ‖x_u‖² + Σ_i n_i ‖y_i‖²) + λ_b (Σ_u n_u b_u² + Σ_i n_i b_i²), n the row's number of ratings.
    /// </summary>
    private static double ExplicitObjective(InteractionMatrix ratings, float mean, float[] x, float[] bu, float[] y, float[] bi, int k, double lambda, double biasLambda)
    {
        double loss = 0;
        for (int u = 0; u < ratings.Rows; u++)
        {
            ReadOnlySpan<int> items = ratings.RowColumns(u);
            for (int j = 0; j < items.Length; j++)
            {
                double error = ratings.RowValues(u)[j] - ((double)mean + bu[u] + bi[items[j]] + Dot(x, u, y, items[j], k));
                loss += error * error;
            }

            loss += items.Length * ((lambda * SquaredNorm(x.AsSpan(u * k, k))) + (biasLambda * bu[u] * bu[u]));
        }

        for (int i = 0; i < ratings.Columns; i++)
        {
            loss += ratings.ColumnLength(i) * ((lambda * SquaredNorm(y.AsSpan(i * k, k))) + (biasLambda * bi[i] * bi[i]));
        }

        return loss;
    }

    private static void ExplicitHalfStep(SparseRows rows, float[] target, float[] targetBias, float[] other, float[] otherBias, float mean, ExplicitAlsOptions o)
    {
        var scratch = new float[ExplicitLeastSquares.ScratchLength(o.Factors)];
        for (int row = 0; row < rows.Count; row++)
        {
            ExplicitLeastSquares.Solve(
                other, otherBias, o.Factors, rows.IndicesOf(row), rows.ValuesOf(row), mean, o.Regularization, o.BiasRegularization, o.UseBiases,
                target.AsSpan(row * o.Factors, o.Factors), out float bias, scratch);
            targetBias[row] = bias;
        }
    }

    [Property(MaxTest = 200)]
    public Property ExplicitAls_ObjectiveNeverIncreases_AfterAnyHalfStep_Meets_Specification() =>
        Prop.ForAll(ExplicitCases.ToArbitrary(), c =>
        {
            ExplicitAlsOptions o = c.Options;
            int k = o.Factors;
            InteractionDataset data = c.Data.Build();
            var ratings = InteractionMatrix.Build(data, MatrixValues.Value, DuplicatePolicy.LastWins);
            float mean = o.UseBiases && ratings.NonZeroCount > 0 ? (float)(TensorPrimitives.Sum(ratings.Values) / (double)ratings.NonZeroCount) : 0f;
            var users = new float[ratings.Rows * k];
            var userBias = new float[ratings.Rows];
            float[] items = InitialItems(ratings.Columns, k, o.Seed, o.InitialScale);
            var itemBias = new float[ratings.Columns];
            double before = ExplicitObjective(ratings, mean, users, userBias, items, itemBias, k, o.Regularization, o.BiasRegularization);
            for (int sweep = 1; sweep <= o.Iterations; sweep++)
            {
                ExplicitHalfStep(ratings.ByUser, users, userBias, items, itemBias, mean, o);
                double afterUsers = ExplicitObjective(ratings, mean, users, userBias, items, itemBias, k, o.Regularization, o.BiasRegularization);
                Assert.True(NotAbove(afterUsers, before), $"sweep {sweep}, user half-step: {before:R} -> {afterUsers:R}");
                ExplicitHalfStep(ratings.ByItem, items, itemBias, users, userBias, mean, o);
                double afterItems = ExplicitObjective(ratings, mean, users, userBias, items, itemBias, k, o.Regularization, o.BiasRegularization);
                Assert.True(NotAbove(afterItems, afterUsers), $"sweep {sweep}, item half-step: {afterUsers:R} -> {afterItems:R}");
                before = afterItems;
            }

            // Fit predicts μ + b_u + b_i + x_uᵀy_i from the same state, bit for bit.
            var model = new ExplicitAlsRecommender(o);
            model.Fit(data);
            for (int u = 0; u < ratings.Rows; u++)
            {
                for (int i = 0; i < ratings.Columns; i++)
                {
                    float expected = mean;
                    expected += userBias[u];
                    expected += itemBias[i];
                    expected += TensorPrimitives.Dot(users.AsSpan(u * k, k), items.AsSpan(i * k, k));
                    Assert.Equal(expected, model.PredictRating(data.Users.GetId(u), data.Items.GetId(i)));
                }
            }

            return true;
        });
}
