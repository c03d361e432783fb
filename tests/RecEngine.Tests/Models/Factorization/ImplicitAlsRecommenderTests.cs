using MathNet.Numerics.LinearAlgebra;
using RecEngine.Data;
using RecEngine.Models.Factorization;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Models.Factorization;

public sealed class ImplicitAlsRecommenderTests
{
    /// <summary>A random sparse dataset: users u0.., items i0.., with a block structure so factors have signal.</summary>
    private static InteractionDataset RandomData(int users, int items, int perUser, int seed)
    {
        var random = new Random(seed);
        var builder = new InteractionDatasetBuilder();
        for (int i = 0; i < items; i++)
        {
            builder.SetItemAttributes($"i{i}", ItemAttributes.Empty);
        }

        long t = 0;
        for (int u = 0; u < users; u++)
        {
            var chosen = new HashSet<int>();
            while (chosen.Count < perUser)
            {
                // Two taste blocks: even users prefer the first half of the catalog.
                int half = items / 2;
                int item = random.NextDouble() < 0.8 ? ((u % 2) * half) + random.Next(half) : random.Next(items);
                chosen.Add(item);
            }

            foreach (int item in chosen)
            {
                builder.Add($"u{u}", $"i{item}", 1 + random.Next(3), t++, EventKind.Rating);
            }
        }

        return builder.Build();
    }

    private static ImplicitAlsOptions Options(AlsSolver solver, int factors = 16, int iterations = 5) => new()
    {
        Factors = factors,
        Regularization = 0.1f,
        Alpha = 2f,
        Iterations = iterations,
        Solver = solver,
        Values = MatrixValues.Value,
        DegreeOfParallelism = 2,
    };

    [Fact]
    public void FoldIn_EqualsDenseSolveOfTheFullObjective()
    {
        // Reference: x = (Yᵀ Cᵤ Y + λI)⁻¹ Yᵀ Cᵤ p(u) with Cᵤ over every item (1 where unobserved), in double,
        // without the YᵀY shortcut the library uses.
        InteractionDataset data = RandomData(users: 30, items: 40, perUser: 8, seed: 1);
        var options = Options(AlsSolver.ConjugateGradient);
        var model = new ImplicitAlsRecommender(options);
        model.Fit(data);
        int k = options.Factors;
        var y = Matrix<double>.Build.Dense(data.ItemCount, k);
        var row = new float[k];
        for (int i = 0; i < data.ItemCount; i++)
        {
            Assert.True(model.TryGetItemFactors(data.Items.GetId(i), row));
            for (int f = 0; f < k; f++)
            {
                y[i, f] = row[f];
            }
        }

        string[] items = ["i3", "i7", "i7", "i30"];
        float[] values = [1f, 2f, 1f, 4f]; // i7 twice: contributions add, as in training
        var confidence = Vector<double>.Build.Dense(data.ItemCount, 1.0);
        var preference = Vector<double>.Build.Dense(data.ItemCount, 0.0);
        var summed = new Dictionary<int, double>();
        for (int j = 0; j < items.Length; j++)
        {
            data.Items.TryGetIndex(items[j], out int index);
            summed[index] = summed.GetValueOrDefault(index) + values[j];
        }

        foreach (var (index, r) in summed)
        {
            confidence[index] = 1 + (options.Alpha * r);
            preference[index] = 1;
        }

        var c = Matrix<double>.Build.Diagonal(confidence.ToArray());
        var a = (y.Transpose() * c * y) + (options.Regularization * Matrix<double>.Build.DenseIdentity(k));
        var expected = a.Solve(y.Transpose() * c * preference);

        var actual = new float[k];
        // Pass the summed values, as the training matrix would hold them.
        model.FoldInUser(summed.Keys.Select(data.Items.GetId).ToArray(), summed.Values.Select(v => (float)v).ToArray(), actual);
        for (int f = 0; f < k; f++)
        {
            Assert.True(Math.Abs(expected[f] - actual[f]) <= 1e-4 * Math.Max(1, expected.AbsoluteMaximum()), $"factor {f}: {actual[f]} vs {expected[f]}");
        }
    }

    [Fact]
    public void FoldIn_AfterTraining_EqualsFullHalfStep()
    {
        InteractionDataset data = RandomData(users: 50, items: 60, perUser: 10, seed: 2);
        var options = Options(AlsSolver.Cholesky);
        var model = new ImplicitAlsRecommender(options);
        model.Fit(data);
        int k = options.Factors;

        // A full user half-step against the trained item factors.
        var matrix = InteractionMatrix.Build(data, MatrixValues.Value, DuplicatePolicy.Sum);
        var itemFactors = new float[data.ItemCount * k];
        for (int i = 0; i < data.ItemCount; i++)
        {
            model.TryGetItemFactors(data.Items.GetId(i), itemFactors.AsSpan(i * k, k));
        }

        var userFactors = new float[data.UserCount * k];
        new ImplicitAlsRecommender.AlsTrainer(options, matrix, CancellationToken.None).SolveUsers(userFactors, itemFactors, new float[k * k]);

        for (int u = 0; u < data.UserCount; u += 7)
        {
            string[] items = matrix.RowColumns(u).ToArray().Select(data.Items.GetId).ToArray();
            var folded = new float[k];
            model.FoldInUser(items, matrix.RowValues(u), folded);
            for (int f = 0; f < k; f++)
            {
                Assert.True(Math.Abs(folded[f] - userFactors[(u * k) + f]) <= 1e-4, $"user {u} factor {f}: {folded[f]} vs {userFactors[(u * k) + f]}");
            }
        }
    }

    [Fact]
    public void FoldInItem_AfterTraining_EqualsFullItemHalfStep()
    {
        InteractionDataset data = RandomData(users: 50, items: 60, perUser: 10, seed: 3);
        var options = Options(AlsSolver.Cholesky);
        var model = new ImplicitAlsRecommender(options);
        model.Fit(data);
        int k = options.Factors;

        // A full item half-step against the trained user factors.
        var matrix = InteractionMatrix.Build(data, MatrixValues.Value, DuplicatePolicy.Sum);
        var userFactors = new float[data.UserCount * k];
        for (int u = 0; u < data.UserCount; u++)
        {
            Assert.True(model.TryGetUserFactors(data.Users.GetId(u), userFactors.AsSpan(u * k, k)));
        }

        var itemFactors = new float[data.ItemCount * k];
        new ImplicitAlsRecommender.AlsTrainer(options, matrix, CancellationToken.None).SolveItems(itemFactors, userFactors, new float[k * k]);

        for (int i = 0; i < data.ItemCount; i += 5)
        {
            string[] users = matrix.ByItem.IndicesOf(i).ToArray().Select(data.Users.GetId).ToArray();
            var folded = new float[k];
            model.FoldInItem(users, matrix.ByItem.ValuesOf(i), folded);
            for (int f = 0; f < k; f++)
            {
                Assert.True(Math.Abs(folded[f] - itemFactors[(i * k) + f]) <= 1e-4, $"item {i} factor {f}: {folded[f]} vs {itemFactors[(i * k) + f]}");
            }
        }
    }

    [Fact]
    public void FoldIn_UnknownIdsAreIgnored_AndBadShapesThrow()
    {
        InteractionDataset data = RandomData(users: 20, items: 30, perUser: 6, seed: 4);
        var options = Options(AlsSolver.Cholesky, factors: 8);
        var model = new ImplicitAlsRecommender(options);
        model.Fit(data);
        var withUnknown = new float[8];
        var without = new float[8];
        model.FoldInUser(["i1", "nope", "i2"], [1f, 5f, 2f], withUnknown);
        model.FoldInUser(["i1", "i2"], [1f, 2f], without);
        Assert.Equal(without, withUnknown);
        model.FoldInItem(["u1", "nobody"], [1f, 1f], withUnknown);
        model.FoldInItem(["u1"], [1f], without);
        Assert.Equal(without, withUnknown);

        // No known interactions at all: the solution is the zero vector.
        model.FoldInItem(["nobody"], [1f], withUnknown);
        Assert.All(withUnknown, v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentException>(() => model.FoldInUser(["i1"], [1f, 2f], without));
        Assert.Throws<ArgumentException>(() => model.FoldInItem(["u1"], [1f], new float[7]));
    }

    [Fact]
    public void Recommend_ScoredByBlocks_EqualsRankingTheWholeCatalog()
    {
        // 600 items: more than two 256-item blocks, so block boundaries and the seen-item walk are crossed.
        InteractionDataset data = RandomData(users: 40, items: 600, perUser: 30, seed: 5);
        var options = Options(AlsSolver.ConjugateGradient, factors: 16);
        var model = new ImplicitAlsRecommender(options);
        model.Fit(data);
        int k = options.Factors;
        var items = new float[data.ItemCount * k];
        for (int i = 0; i < data.ItemCount; i++)
        {
            Assert.True(model.TryGetItemFactors(data.Items.GetId(i), items.AsSpan(i * k, k)));
        }

        var matrix = InteractionMatrix.Build(data, MatrixValues.One, DuplicatePolicy.Sum);
        Assert.All(Enumerable.Range(0, data.ItemCount), i => Assert.Equal($"i{i}", data.Items.GetId(i)));
        for (int u = 0; u < data.UserCount; u += 3)
        {
            string user = data.Users.GetId(u);
            var x = new float[k];
            Assert.True(model.TryGetUserFactors(user, x));
            var scores = new float[data.ItemCount];
            RecEngine.Kernels.Simd.MultiplyRows(items, x, scores);
            foreach (int seen in matrix.RowColumns(u))
            {
                scores[seen] = float.NaN;
            }

            // Short lists take the screened path (bfloat16 bounds, exact re-score); 100 of 600 takes the exact one.
            foreach (int n in new[] { 1, 10, 50, 100 })
            {
                var topIndices = new int[n];
                var topScores = new float[n];
                int count = RecEngine.Kernels.TopK.Select(scores, topIndices, topScores);
                IReadOnlyList<ScoredItem> actual = model.Recommend(user, n);
                Assert.Equal(topIndices[..count].Select(data.Items.GetId), actual.Select(r => r.ItemId));
                Assert.Equal(topScores[..count], actual.Select(r => r.Score));
            }

            // A filter applies in both passes of the screened path: items it rejects never set the threshold.
            var filter = new RecEngine.Tests.TestUtilities.PredicateFilter(i => i % 3 != 0);
            var filteredIndices = new int[10];
            var filteredScores = new float[10];
            int filteredCount = RecEngine.Kernels.TopK.Select(scores, filteredIndices, filteredScores, ref filter);
            var everyThirdOut = new RecommendOptions { Filter = id => int.Parse(id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) % 3 != 0 };
            IReadOnlyList<ScoredItem> filtered = model.Recommend(user, 10, everyThirdOut);
            Assert.Equal(filteredIndices[..filteredCount].Select(data.Items.GetId), filtered.Select(r => r.ItemId));
        }
    }

    [Fact]
    public void Recommend_ItemsWithIdenticalFactors_TiesGoToTheLowerIndexOnEveryPath()
    {
        // Every item iX has a twin tX with exactly the same history; the exact solver gives twins bit-identical
        // factors, so their scores tie for every user and the best unseen items come in tied pairs. bfloat16 bounds
        // cannot separate twins: the exact re-score and the index order must.
        InteractionDataset source = RandomData(users: 40, items: 300, perUser: 25, seed: 9);
        var builder = new InteractionDatasetBuilder();
        long t = 0;
        for (int r = 0; r < source.Count; r++)
        {
            string user = source.Users.GetId(source.UserIndices[r]);
            string item = source.Items.GetId(source.ItemIndices[r]);
            float value = source.Values[r];
            builder.Add(user, item, value, t++, EventKind.Rating);
            builder.Add(user, "t" + item[1..], value, t++, EventKind.Rating);
        }

        InteractionDataset data = builder.Build();
        var model = new ImplicitAlsRecommender(Options(AlsSolver.Cholesky, factors: 16));
        model.Fit(data);
        var original = new float[16];
        var twin = new float[16];
        Assert.True(model.TryGetItemFactors("i7", original));
        Assert.True(model.TryGetItemFactors("t7", twin));
        Assert.Equal(original, twin);

        string[] itemIds = Enumerable.Range(0, data.ItemCount).Select(data.Items.GetId).ToArray();
        var matrix = InteractionMatrix.Build(data, MatrixValues.One, DuplicatePolicy.Sum);
        int tied = 0;
        for (int u = 0; u < data.UserCount; u++)
        {
            string user = data.Users.GetId(u);
            var scores = new float[data.ItemCount];
            model.Score(user, itemIds, scores);
            foreach (int seen in matrix.RowColumns(u))
            {
                scores[seen] = float.NaN;
            }

            // Odd lengths split a tied pair at the end of the list.
            int n = 1 + (u % 40);
            var expected = ReferenceKernels.TopK(scores, n, _ => true);
            IReadOnlyList<ScoredItem> actual = model.Recommend(user, n);
            Assert.Equal(expected.Select(e => itemIds[e.Index]), actual.Select(r => r.ItemId));
            Assert.Equal(expected.Select(e => e.Score), actual.Select(r => r.Score));
            tied += n > 1 && actual[0].Score == actual[1].Score ? 1 : 0;
        }

        Assert.True(tied > 20, $"only {tied} lists started with a tied pair");
    }

    [Fact]
    public void Fit_ExactSolver_LossNeverIncreases()
    {
        var progress = new SynchronousProgress<TrainingProgress>();
        var model = new ImplicitAlsRecommender(Options(AlsSolver.Cholesky, iterations: 8));
        model.Fit(RandomData(users: 80, items: 50, perUser: 12, seed: 3), progress);
        Assert.Equal(8, progress.Reports.Count);
        Assert.Equal(Enumerable.Range(1, 8), progress.Reports.Select(r => r.Step));
        for (int i = 1; i < progress.Reports.Count; i++)
        {
            Assert.True(progress.Reports[i].Loss <= progress.Reports[i - 1].Loss * (1 + 1e-6), $"iteration {i + 1}: {progress.Reports[i].Loss} > {progress.Reports[i - 1].Loss}");
        }
    }

    [Fact]
    public void Fit_ConjugateGradient_LossDecreasesOverall()
    {
        var progress = new SynchronousProgress<TrainingProgress>();
        var model = new ImplicitAlsRecommender(Options(AlsSolver.ConjugateGradient, iterations: 8));
        model.Fit(RandomData(users: 80, items: 50, perUser: 12, seed: 3), progress);
        Assert.True(progress.Reports[^1].Loss < progress.Reports[0].Loss);
    }

    [Fact]
    public void Fit_SameSeedAndThreads_GivesIdenticalFactors()
    {
        InteractionDataset data = RandomData(users: 40, items: 30, perUser: 6, seed: 4);
        var first = new ImplicitAlsRecommender(Options(AlsSolver.ConjugateGradient));
        var second = new ImplicitAlsRecommender(Options(AlsSolver.ConjugateGradient));
        first.Fit(data);
        second.Fit(data);
        var a = new float[16];
        var b = new float[16];
        for (int u = 0; u < data.UserCount; u++)
        {
            first.TryGetUserFactors($"u{u}", a);
            second.TryGetUserFactors($"u{u}", b);
            Assert.Equal(a, b);
        }
    }

    [Theory]
    [InlineData(AlsSolver.Cholesky)]
    [InlineData(AlsSolver.ConjugateGradient)]
    public void Fit_SmallBinaryMatrix_ReconstructsPreferences(AlsSolver solver)
    {
        // The 7 x 6 matrix of the implicit library's tests: with as many factors as items, high confidence and
        // almost no regularisation, x_uᵀ y_i must reproduce p_ui.
        int[,] counts =
        {
            { 1, 1, 0, 1, 0, 0 },
            { 0, 1, 1, 1, 0, 0 },
            { 1, 0, 1, 0, 0, 0 },
            { 1, 1, 0, 0, 0, 0 },
            { 0, 0, 1, 1, 0, 1 },
            { 0, 1, 0, 0, 0, 1 },
            { 0, 0, 0, 0, 1, 1 },
        };
        var builder = new InteractionDatasetBuilder();
        for (int i = 0; i < 6; i++)
        {
            builder.SetItemAttributes($"i{i}", ItemAttributes.Empty);
        }

        for (int u = 0; u < 7; u++)
        {
            for (int i = 0; i < 6; i++)
            {
                if (counts[u, i] > 0)
                {
                    builder.Add($"u{u}", $"i{i}", 1f, 0);
                }
            }
        }

        var model = new ImplicitAlsRecommender(new ImplicitAlsOptions
        {
            Factors = 6, Regularization = 1e-6f, Alpha = 100f, Iterations = 200, Solver = solver,
            ConjugateGradientSteps = 6, Values = MatrixValues.One, DegreeOfParallelism = 1,
        });
        model.Fit(builder.Build());
        var scores = new float[6];
        string[] ids = ["i0", "i1", "i2", "i3", "i4", "i5"];
        for (int u = 0; u < 7; u++)
        {
            model.Score($"u{u}", ids, scores);
            for (int i = 0; i < 6; i++)
            {
                Assert.True(Math.Abs(scores[i] - counts[u, i]) < 1e-2, $"u{u} i{i}: {scores[i]}");
            }
        }
    }

    [Fact]
    public void Explain_ContributionsAddUpToTheExactScore()
    {
        InteractionDataset data = RandomData(users: 40, items: 30, perUser: 8, seed: 5);
        var model = new ImplicitAlsRecommender(Options(AlsSolver.Cholesky));
        model.Fit(data);
        string item = model.Recommend("u3", 1)[0].ItemId;
        Explanation explanation = Assert.IsType<Explanation>(model.Explain("u3", item, count: 100));

        // Exact score: fold the user in and take the dot product with the item's factors.
        var matrix = InteractionMatrix.Build(data, MatrixValues.Value, DuplicatePolicy.Sum);
        data.Users.TryGetIndex("u3", out int u);
        var x = new float[16];
        model.FoldInUser(matrix.RowColumns(u).ToArray().Select(data.Items.GetId).ToArray(), matrix.RowValues(u), x);
        var y = new float[16];
        model.TryGetItemFactors(item, y);
        float exact = x.Zip(y, (p, q) => p * q).Sum();

        Assert.Equal(exact, explanation.Score, 3);
        Assert.Equal(explanation.Score, explanation.Contributions.Sum(c => c.Contribution), 3);
        Assert.Equal(matrix.RowLength(u), explanation.Contributions.Count);
        Assert.True(explanation.Contributions.Zip(explanation.Contributions.Skip(1)).All(p => p.First.Contribution >= p.Second.Contribution));
        Assert.Null(model.Explain("nobody", item));
    }

    [Fact]
    public void SimilarItems_RanksByFactorCosine()
    {
        InteractionDataset data = RandomData(users: 60, items: 20, perUser: 6, seed: 6);
        var model = new ImplicitAlsRecommender(Options(AlsSolver.Cholesky));
        model.Fit(data);
        var factors = Enumerable.Range(0, 20).Select(i =>
        {
            var row = new float[16];
            model.TryGetItemFactors($"i{i}", row);
            return row;
        }).ToArray();
        static double Cosine(float[] a, float[] b) =>
            a.Zip(b, (p, q) => (double)p * q).Sum() / Math.Sqrt(a.Sum(v => (double)v * v) * b.Sum(v => (double)v * v));
        string[] expected = Enumerable.Range(1, 19).OrderByDescending(j => Cosine(factors[0], factors[j])).Take(5).Select(j => $"i{j}").ToArray();

        var similar = model.SimilarItems("i0", 5);
        Assert.Equal(expected, similar.Select(s => s.ItemId));
        Assert.All(similar, s => Assert.InRange(s.Score, -1.0001f, 1.0001f));
    }

    [Theory]
    [InlineData("Factors")]
    [InlineData("Regularization")]
    [InlineData("Alpha")]
    [InlineData("ConjugateGradientSteps")]
    [InlineData("DegreeOfParallelism")]
    public void Options_OutOfRange_ThrowNamingTheProperty(string property)
    {
        var options = new ImplicitAlsOptions();
        switch (property)
        {
            case "Factors": options.Factors = 0; break;
            case "Regularization": options.Regularization = float.NaN; break;
            case "Alpha": options.Alpha = -1f; break;
            case "ConjugateGradientSteps": options.ConjugateGradientSteps = 0; break;
            default: options.DegreeOfParallelism = 0; break;
        }

        Assert.Equal(property, Assert.Throws<ArgumentOutOfRangeException>(() => new ImplicitAlsRecommender(options)).ParamName);
    }

    [Fact]
    public void Fit_Cancelled_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var model = new ImplicitAlsRecommender(Options(AlsSolver.ConjugateGradient));
        Assert.ThrowsAny<OperationCanceledException>(() => model.Fit(RandomData(10, 10, 3, 7), cancellationToken: cancelled.Token));
        Assert.False(model.IsFitted);
    }
}
