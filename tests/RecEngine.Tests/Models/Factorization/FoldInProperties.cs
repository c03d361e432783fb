using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MathNet.Numerics.LinearAlgebra;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Models.Factorization;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Models.Factorization;

/// <summary>
/// Fold-in is exact and idempotent: the factors of a folded-in history solve the closed-form least-squares equations of
/// Hu, Koren and Volinsky's objective for that row (the history summed per item, as training sums it), whatever the
/// destination held before — so folding in again gives the same factors as once; and the live model re-solving a
/// user whose history is unchanged gives the same factors, bit for bit.
/// </summary>
public sealed class FoldInProperties
{
    private sealed record FoldInCase(SmallDataset Data, ImplicitAlsOptions Options, (int Item, float Value)[] History)
    {
        public override string ToString() =>
            $"k={Options.Factors} λ={Options.Regularization} α={Options.Alpha} {Options.Solver} {Options.Values}, history [{string.Join(", ", History.Select(h => $"{h.Item}:{h.Value}"))}]: {Data}";
    }

    private static Gen<ImplicitAlsOptions> OptionsGen(params MatrixValues[] values) =>
        from k in Gen.Choose(1, 6)
        from lambda in Gen.Elements(0.05f, 0.5f, 2f)
        from alpha in Gen.Elements(0f, 1f, 4f, 10f)
        from solver in Gen.Elements(AlsSolver.Cholesky, AlsSolver.ConjugateGradient)
        from kind in Gen.Elements(values)
        from iterations in Gen.Choose(1, 4)
        select new ImplicitAlsOptions
        {
            Factors = k,
            Regularization = lambda,
            Alpha = alpha,
            Solver = solver,
            Values = kind,
            Iterations = iterations,
            InitialScale = 0.3f,
            DegreeOfParallelism = 1,
        };

    // Histories name items by number; numbers past the catalogue are unknown ids. Items repeat often, values are
    // positive, negative or zero, so repeated items can sum to anything.
    private static readonly Gen<FoldInCase> FoldInCases =
        from data in SmallDatasets.Of(SmallValues.Events)
        from options in OptionsGen(Enum.GetValues<MatrixValues>())
        from history in Gen.ArrayOf(
            from item in Gen.Choose(0, data.Items + 1)
            from value in Gen.Frequency((3, Gen.Choose(1, 3).Select(v => (float)v)), (1, Gen.Choose(-8, 8).Select(v => v / 4f)))
            select (item, value))
        select new FoldInCase(data, options, history);

    /// <summary>
    /// The normal equations of one row, (Σ_all c_j y_j y_jᵀ + λI) x = Σ_all c_j p_j y_j over every row of
    /// <paramref name="other"/> (c = 1, p = 0 where the history has nothing), in double, straight from eq. 4 without
    /// the library's YᵀY shortcut.
    /// </summary>
    private static (Matrix<double> A, Vector<double> B) NormalEquations(Matrix<double> other, Dictionary<int, double> summed, double alpha, double lambda)
    {
        int k = other.ColumnCount;
        var confidence = Vector<double>.Build.Dense(other.RowCount, 1.0);
        var preference = Vector<double>.Build.Dense(other.RowCount, 0.0);
        foreach ((int row, double r) in summed)
        {
            confidence[row] = 1 + (alpha * Math.Abs(r));
            preference[row] = r > 0 ? 1 : 0;
        }

        Matrix<double> c = Matrix<double>.Build.Diagonal(confidence.ToArray());
        return ((other.Transpose() * c * other) + (lambda * Matrix<double>.Build.DenseIdentity(k)), other.Transpose() * c * preference);
    }

    private static Matrix<double> Factors(int count, int k, Func<int, Span<float>, bool> get)
    {
        var m = Matrix<double>.Build.Dense(count, k);
        var row = new float[k];
        for (int r = 0; r < count; r++)
        {
            Assert.True(get(r, row));
            for (int f = 0; f < k; f++)
            {
                m[r, f] = row[f];
            }
        }

        return m;
    }

    /// <summary>
    /// <paramref name="actual"/> solves the normal equations as exactly as float allows: the residual ‖Ax − b‖ is
    /// within 1e-4 of ‖A‖‖x‖ + ‖b‖ (a backward-stable solve of a float copy of A leaves about k · 6e-8). The forward
    /// error is not compared, as it grows with the condition number (λ = 0.05 against confidences in the hundreds).
    /// A history counted wrongly (a repeated item twice, a dislike as a like) leaves a residual of the size of b.
    /// </summary>
    private static void AssertSolves((Matrix<double> A, Vector<double> B) equations, float[] actual, string what)
    {
        var x = Vector<double>.Build.Dense([.. actual.Select(f => (double)f)]);
        double residual = ((equations.A * x) - equations.B).InfinityNorm();
        double scale = (equations.A.InfinityNorm() * x.InfinityNorm()) + equations.B.InfinityNorm();
        double[] exact = equations.A.Solve(equations.B).ToArray();
        Assert.True(residual <= 1e-4 * scale, $"{what}: residual {residual:R} of scale {scale:R}; factors [{string.Join(", ", actual)}], exact [{string.Join(", ", exact)}]");
    }

    [Property(MaxTest = 200)]
    public Property FoldIn_IsTheClosedFormSolution_AndIdempotent_Meets_Specification() =>
        Prop.ForAll(FoldInCases.ToArbitrary(), c =>
        {
            InteractionDataset data = c.Data.Build();
            var model = new ImplicitAlsRecommender(c.Options);
            model.Fit(data);
            int k = c.Options.Factors;
            string[] ids = [.. c.History.Select(h => SmallDataset.ItemId(h.Item))];
            float[] values = [.. c.History.Select(h => h.Value)];

            // The history summed per known item, as the training matrix sums repeated interactions.
            var summed = new Dictionary<int, double>();
            foreach ((string id, float value) in ids.Zip(values))
            {
                if (data.Items.TryGetIndex(id, out int index))
                {
                    summed[index] = summed.GetValueOrDefault(index) + value;
                }
            }

            Matrix<double> items = Factors(data.ItemCount, k, (i, row) => model.TryGetItemFactors(data.Items.GetId(i), row));
            var once = new float[k];
            model.FoldInUser(ids, values, once);
            AssertSolves(NormalEquations(items, summed, c.Options.Alpha, c.Options.Regularization), once, "user");

            // Again, into the first result and into garbage: the same factors, bit for bit.
            float[] twice = [.. once];
            model.FoldInUser(ids, values, twice);
            Assert.Equal(once, twice);
            float[] overGarbage = [.. Enumerable.Repeat(123.5f, k)];
            model.FoldInUser(ids, values, overGarbage);
            Assert.Equal(once, overGarbage);

            // Items fold in the same way against the user factors, from a history of users.
            string[] userIds = [.. c.History.Select(h => SmallDataset.UserId(h.Item))];
            var summedUsers = new Dictionary<int, double>();
            foreach ((string id, float value) in userIds.Zip(values))
            {
                if (data.Users.TryGetIndex(id, out int index))
                {
                    summedUsers[index] = summedUsers.GetValueOrDefault(index) + value;
                }
            }

            Matrix<double> users = Factors(data.UserCount, k, (u, row) => model.TryGetUserFactors(data.Users.GetId(u), row));
            var item = new float[k];
            model.FoldInItem(userIds, values, item);
            AssertSolves(NormalEquations(users, summedUsers, c.Options.Alpha, c.Options.Regularization), item, "item");
            float[] itemAgain = [.. Enumerable.Repeat(-7f, k)];
            model.FoldInItem(userIds, values, itemAgain);
            Assert.Equal(item, itemAgain);
            return true;
        });

    private sealed record LiveCase(SmallDataset Data, ImplicitAlsOptions Options, bool Cached, (int User, int Item, float Value)[] Events)
    {
        public override string ToString() =>
            $"k={Options.Factors} α={Options.Alpha} {Options.Values} cache {Cached}, events [{string.Join(", ", Events.Select(e => $"u{e.User} i{e.Item} {e.Value}"))}]: {Data}";
    }

    private static readonly Gen<LiveCase> LiveCases =
        from data in SmallDatasets.Of(SmallValues.Events)
        from options in OptionsGen(MatrixValues.Weight, MatrixValues.Value)
        from cached in Gen.Elements(true, false)
        from events in Gen.ArrayOf(
            from user in Gen.Choose(0, data.Users + 1)
            from item in Gen.Choose(0, data.Items - 1)
            from value in Gen.Frequency((3, Gen.Constant(1f)), (1, Gen.Choose(-8, 8).Select(v => v / 4f)))
            select (user, item, value))
        select new LiveCase(data, options, cached, events);

    private static WeightedEvent Event(int user, int item, float value, ref long sequence) =>
        new(new Interaction(SmallDataset.UserId(user), SmallDataset.ItemId(item), value, DateTimeOffset.UnixEpoch, EventKind.View), value, ++sequence);

    [Property(MaxTest = 150)]
    public Property LiveFoldIn_OfAnUnchangedHistory_GivesTheSameFactors_Meets_Specification() =>
        Prop.ForAll(LiveCases.ToArbitrary(), c =>
        {
            InteractionDataset data = c.Data.Build();
            var model = new ImplicitAlsRecommender(c.Options);
            model.Fit(data);

            // Items stay as fitted, so a user's fold-in depends on their history alone.
            var live = new LiveImplicitAls(model, new LiveAlsOptions { ItemUpdates = ItemUpdatePolicy.Never, ConfidenceCacheMegabytes = c.Cached ? 1 : 0 });
            long sequence = 0;
            var batch = new WeightedEvent[c.Events.Length];
            for (int e = 0; e < batch.Length; e++)
            {
                batch[e] = Event(c.Events[e].User, c.Events[e].Item, c.Events[e].Value, ref sequence);
            }

            live.Apply(batch);
            float[] before = UserFactors(live);

            // Every user touched again by events of value 0 on items they have: the histories do not change, every
            // touched user is re-solved, and comes out with the same factors.
            var again = new WeightedEvent[c.Events.Length];
            for (int e = 0; e < again.Length; e++)
            {
                again[e] = Event(c.Events[e].User, c.Events[e].Item, 0f, ref sequence);
            }

            live.Apply(again);
            Assert.Equal(before, UserFactors(live));
            return true;
        });

    /// <summary>
    /// Every user's factors, from the captured state (scores would not do: a user without a direction is served
    /// popularity, which counts every event, zero-valued ones included). The layout is the documented one: a header
    /// of five 32-bit and two 64-bit integers, the two Gram matrices (k² doubles each), then the user factors.
    /// </summary>
    private static float[] UserFactors(LiveImplicitAls live)
    {
        byte[] state = live.CaptureState().Data;
        int k = BitConverter.ToInt32(state, 0);
        int users = BitConverter.ToInt32(state, 4);
        int start = (5 * sizeof(int)) + (2 * sizeof(long)) + (2 * k * k * sizeof(double));
        return [.. Enumerable.Range(0, users * k).Select(f => BitConverter.ToSingle(state, start + (f * sizeof(float))))];
    }
}
