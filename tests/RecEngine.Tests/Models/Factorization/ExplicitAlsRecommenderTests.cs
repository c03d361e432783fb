using MathNet.Numerics.LinearAlgebra;
using RecEngine.Data;
using RecEngine.Models.Factorization;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Models.Factorization;

public sealed class ExplicitAlsRecommenderTests
{
    /// <summary>Ratings planted from a rank-3 model with biases; a fraction of the cells is observed.</summary>
    private static (InteractionDataset Train, List<(string User, string Item, float Rating)> Held) Planted(int seed)
    {
        var random = new Random(seed);
        const int users = 120, items = 80, rank = 3;
        double[,] x = new double[users, rank], y = new double[items, rank];
        double[] bu = new double[users], bi = new double[items];
        for (int u = 0; u < users; u++)
        {
            bu[u] = random.NextDouble() - 0.5;
            for (int f = 0; f < rank; f++)
            {
                x[u, f] = random.NextDouble() - 0.5;
            }
        }

        for (int i = 0; i < items; i++)
        {
            bi[i] = random.NextDouble() - 0.5;
            for (int f = 0; f < rank; f++)
            {
                y[i, f] = random.NextDouble() - 0.5;
            }
        }

        var builder = new InteractionDatasetBuilder();
        var held = new List<(string, string, float)>();
        for (int u = 0; u < users; u++)
        {
            for (int i = 0; i < items; i++)
            {
                double rating = 3 + bu[u] + bi[i] + Enumerable.Range(0, rank).Sum(f => x[u, f] * y[i, f]);
                double p = random.NextDouble();
                if (p < 0.3)
                {
                    builder.Add($"u{u}", $"i{i}", (float)rating, 0);
                }
                else if (p < 0.35)
                {
                    held.Add(($"u{u}", $"i{i}", (float)rating));
                }
            }
        }

        return (builder.Build(), held);
    }

    [Fact]
    public void Fit_PlantedLowRankRatings_PredictsHeldOutRatings()
    {
        var (train, held) = Planted(seed: 1);
        var model = new ExplicitAlsRecommender(new ExplicitAlsOptions { Factors = 8, Regularization = 0.01f, BiasRegularization = 0.01f, Iterations = 25, DegreeOfParallelism = 2 });
        model.Fit(train);
        double rmse = Math.Sqrt(held.Average(h => Math.Pow(model.PredictRating(h.User, h.Item) - h.Rating, 2)));
        double spread = Math.Sqrt(held.Average(h => Math.Pow(h.Rating - held.Average(g => g.Rating), 2)));
        // The ratings vary with a standard deviation of about 0.45; the model must explain nearly all of it.
        Assert.True(rmse < 0.1 * spread, $"held-out RMSE {rmse:F4} vs spread {spread:F4}");
    }

    [Fact]
    public void Fit_ObjectiveNeverIncreases()
    {
        var progress = new SynchronousProgress<TrainingProgress>();
        var model = new ExplicitAlsRecommender(new ExplicitAlsOptions { Factors = 6, Iterations = 10, DegreeOfParallelism = 2 });
        model.Fit(Planted(seed: 2).Train, progress);
        for (int i = 1; i < progress.Reports.Count; i++)
        {
            Assert.True(progress.Reports[i].Loss <= progress.Reports[i - 1].Loss * (1 + 1e-5), $"iteration {i + 1}: {progress.Reports[i].Loss} > {progress.Reports[i - 1].Loss}");
        }
    }

    [Fact]
    public void RowSolve_EqualsDenseRegularisedLeastSquares()
    {
        // min_z Σ_j (t_j - ỹ_jᵀ z)² + n (λ ‖x‖² + λ_b b²) with ỹ_j = [y_j; 1], t_j = r_j - μ - b_j.
        const int k = 16;
        var random = new Random(3);
        float[] other = RandomArrays.Vector(random, 30 * k);
        float[] otherBias = RandomArrays.Vector(random, 30);
        int[] indices = [2, 5, 7, 11, 19, 23, 29];
        float[] ratings = indices.Select(_ => 1f + random.Next(5)).ToArray();
        const float mean = 3.5f, lambda = 0.2f, biasLambda = 0.3f;

        int n = indices.Length;
        var features = Matrix<double>.Build.Dense(n, k + 1, (j, f) => f < k ? other[(indices[j] * k) + f] : 1.0);
        var targets = Vector<double>.Build.Dense(n, j => ratings[j] - mean - otherBias[indices[j]]);
        var penalty = Matrix<double>.Build.Diagonal(k + 1, k + 1, f => n * (f < k ? lambda : biasLambda));
        var expected = (features.TransposeThisAndMultiply(features) + penalty).Solve(features.TransposeThisAndMultiply(targets));

        var x = new float[k];
        ExplicitLeastSquares.Solve(other, otherBias, k, indices, ratings, mean, lambda, biasLambda, true, x, out float bias, new float[ExplicitLeastSquares.ScratchLength(k)]);
        for (int f = 0; f < k; f++)
        {
            Assert.Equal(expected[f], x[f], 4);
        }

        Assert.Equal(expected[k], bias, 4);
    }

    [Fact]
    public void PredictRating_UnknownIds_FallBackToBiasesAndMean()
    {
        InteractionDataset data = new InteractionDatasetBuilder()
            .Add("a", "x", 5f, 0).Add("a", "y", 3f, 0).Add("b", "x", 4f, 0).Build();
        var model = new ExplicitAlsRecommender(new ExplicitAlsOptions { Factors = 2, Iterations = 5, RatingRange = (1f, 5f) });
        model.Fit(data);
        float mean = 4f;
        float unknownBoth = model.PredictRating("nobody", "nothing");
        Assert.Equal(mean, unknownBoth, 4);
        // x is rated above the mean, so its bias is positive and an unknown user's prediction for it exceeds μ.
        Assert.True(model.PredictRating("nobody", "x") > mean);
        Assert.InRange(model.PredictRating("a", "x"), 1f, 5f);
    }

    [Fact]
    public void Fit_LastRatingWinsForRepeatedPairs()
    {
        InteractionDataset data = new InteractionDatasetBuilder()
            .Add("a", "x", 1f, 100).Add("a", "x", 5f, 200).Add("b", "y", 3f, 0).Build();
        var model = new ExplicitAlsRecommender(new ExplicitAlsOptions { Factors = 2, Iterations = 3 });
        model.Fit(data);
        // With ratings {5, 3} the mean is 4; with the stale 1 included it would be 3.
        Assert.Equal(4f, model.PredictRating("nobody", "nothing"), 4);
    }

    [Fact]
    public void Options_InvalidRatingRange_ThrowsNamingTheProperty()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new ExplicitAlsRecommender(new ExplicitAlsOptions { RatingRange = (5f, 1f) }));
        Assert.Equal("RatingRange", error.ParamName);
    }
}
