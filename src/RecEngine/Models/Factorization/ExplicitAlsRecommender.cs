using System.Numerics.Tensors;
using RecEngine.Data;
using RecEngine.Kernels;
using RecEngine.Persistence;

namespace RecEngine.Models.Factorization;

/// <summary>
/// Matrix factorisation of explicit ratings by alternating least squares with weighted-λ regularisation (ALS-WR,
/// Zhou et al. 2008) and, optionally, a global mean and user and item biases (Koren, Bell and Volinsky 2009):
/// <c>r̂_ui = μ + b_u + b_i + x_uᵀ y_i</c>.
/// </summary>
/// <remarks>
/// <para>
/// Objective: <c>Σ_(u,i) observed (r_ui - r̂_ui)² + λ (Σ_u n_u ‖x_u‖² + Σ_i n_i ‖y_i‖²) + λ_b (Σ_u n_u b_u² + Σ_i n_i b_i²)</c>.
/// Each half-step solves every row exactly by Cholesky in O(n_row · k² + k³). Repeated ratings of a pair keep
/// the latest one.
/// </para>
/// <para>
/// Unknown users and items are predicted from what is known: <c>μ + b_i</c>, <c>μ + b_u</c> or <c>μ</c>. Top-N
/// ranks by predicted rating. Thread safety: see <see cref="RecommenderBase"/>.
/// </para>
/// </remarks>
public sealed class ExplicitAlsRecommender : RecommenderBase, IRatingPredictor
{
    private readonly ExplicitAlsOptions _options;

    /// <summary>Creates the recommender.</summary>
    /// <param name="options">Options, copied; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the exception names it).</exception>
    public ExplicitAlsRecommender(ExplicitAlsOptions? options = null)
    {
        options ??= new ExplicitAlsOptions();
        options.Validate();
        _options = options.Clone();
    }

    /// <inheritdoc/>
    public override string Name => "als-explicit";

    /// <summary>Predicts the rating of <paramref name="itemId"/> by <paramref name="userId"/>; unknown ids fall back to biases and the mean.</summary>
    /// <exception cref="ArgumentNullException">An id is null.</exception>
    public float PredictRating(string userId, string itemId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(itemId);
        var model = (ExplicitModel)Current;
        return model.Predict(model.Context.TrainedUserIndex(userId), model.Context.TrainedItemIndex(itemId));
    }

    private protected override TrainedModel Train(InteractionDataset dataset, FitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ExplicitAlsOptions o = _options;
        int k = o.Factors;
        var matrix = InteractionMatrix.Build(dataset, MatrixValues.Value, DuplicatePolicy.LastWins);
        float mean = o.UseBiases && matrix.NonZeroCount > 0 ? (float)(TensorPrimitives.Sum(matrix.Values) / (double)matrix.NonZeroCount) : 0f;
        var state = new Factors(matrix.Rows, matrix.Columns, k);
        var random = new Random(o.Seed);
        for (int i = 0; i < state.Item.Length; i++)
        {
            state.Item[i] = (float)((random.NextDouble() * 2) - 1) * o.InitialScale;
        }

        int threads = o.DegreeOfParallelism ?? Environment.ProcessorCount;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken };
        for (int iteration = 1; iteration <= o.Iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            HalfStep(matrix.ByUser, state.User, state.UserBias, state.Item, state.ItemBias, mean, parallel);
            HalfStep(matrix.ByItem, state.Item, state.ItemBias, state.User, state.UserBias, mean, parallel);
            progress?.Report(new TrainingProgress("iteration", iteration, o.Iterations, Objective(matrix, state, mean)));
        }

        return new ExplicitModel(context, o, state, mean);
    }

    private void HalfStep(SparseRows rows, float[] target, float[] targetBias, float[] other, float[] otherBias, float mean, ParallelOptions parallel)
    {
        int k = _options.Factors;
        Parallel.For(
            0,
            rows.Count,
            parallel,
            () => new float[ExplicitLeastSquares.ScratchLength(k)],
            (row, _, scratch) =>
            {
                ExplicitLeastSquares.Solve(
                    other, otherBias, k, rows.IndicesOf(row), rows.ValuesOf(row), mean, _options.Regularization,
                    _options.BiasRegularization, _options.UseBiases, target.AsSpan(row * k, k), out float bias, scratch);
                targetBias[row] = bias;
                return scratch;
            },
            _ => { });
    }

    private double Objective(InteractionMatrix matrix, Factors state, float mean)
    {
        int k = _options.Factors;
        double loss = 0;
        for (int u = 0; u < matrix.Rows; u++)
        {
            ReadOnlySpan<int> items = matrix.RowColumns(u);
            ReadOnlySpan<float> ratings = matrix.RowValues(u);
            ReadOnlySpan<float> x = state.User.AsSpan(u * k, k);
            for (int j = 0; j < items.Length; j++)
            {
                int i = items[j];
                double error = ratings[j] - (mean + state.UserBias[u] + state.ItemBias[i] + TensorPrimitives.Dot(x, state.Item.AsSpan(i * k, k)));
                loss += error * error;
            }

            loss += items.Length * ((_options.Regularization * TensorPrimitives.Dot(x, x)) + (_options.BiasRegularization * state.UserBias[u] * state.UserBias[u]));
        }

        for (int i = 0; i < matrix.Columns; i++)
        {
            ReadOnlySpan<float> y = state.Item.AsSpan(i * k, k);
            loss += matrix.ColumnLength(i) * ((_options.Regularization * TensorPrimitives.Dot(y, y)) + (_options.BiasRegularization * state.ItemBias[i] * state.ItemBias[i]));
        }

        return loss;
    }

    /// <summary>The kind under which model files store this recommender.</summary>
    internal const string Kind = "explicit-als";

    /// <inheritdoc/>
    internal override string StateKind => Kind;

    /// <inheritdoc/>
    internal override void WriteState(StateWriter writer, TrainedModel model)
    {
        var trained = (ExplicitModel)model;
        trained.Options.Write(writer);
        writer.Write(trained.Mean);
        writer.WriteArray<float>(trained.State.User);
        writer.WriteArray<float>(trained.State.UserBias);
        writer.WriteArray<float>(trained.State.Item);
        writer.WriteArray<float>(trained.State.ItemBias);
    }

    /// <summary>Reads a recommender written by <see cref="WriteState"/>.</summary>
    internal static ExplicitAlsRecommender ReadState(StateReader reader, FitContext context)
    {
        var recommender = new ExplicitAlsRecommender(ExplicitAlsOptions.Read(reader));
        ExplicitAlsOptions options = recommender._options;
        int k = options.Factors;
        float mean = reader.ReadFiniteSingle("mean rating");
        var state = new Factors(
            reader.ReadFinite(checked(context.UserCount * k), "user factor"),
            reader.ReadFinite(context.UserCount, "user bias"),
            reader.ReadFinite(checked(context.ItemCount * k), "item factor"),
            reader.ReadFinite(context.ItemCount, "item bias"));
        recommender.Restore(new ExplicitModel(context, options, state, mean));
        return recommender;
    }

    private sealed class Factors(float[] user, float[] userBias, float[] item, float[] itemBias)
    {
        public Factors(int users, int items, int k)
            : this(new float[users * k], new float[users], new float[items * k], new float[items])
        {
        }

        public float[] User => user;

        public float[] UserBias => userBias;

        public float[] Item => item;

        public float[] ItemBias => itemBias;
    }

    private sealed class ExplicitModel(FitContext context, ExplicitAlsOptions options, Factors state, float mean) : TrainedModel(context)
    {
        private readonly int _k = options.Factors;

        public ExplicitAlsOptions Options => options;

        public Factors State => state;

        public float Mean => mean;

        public float Predict(int user, int item)
        {
            float prediction = mean;
            if (user >= 0)
            {
                prediction += state.UserBias[user];
            }

            if (item >= 0)
            {
                prediction += state.ItemBias[item];
            }

            if (user >= 0 && item >= 0)
            {
                prediction += TensorPrimitives.Dot(state.User.AsSpan(user * _k, _k), state.Item.AsSpan(item * _k, _k));
            }

            return options.RatingRange is { } range ? Math.Clamp(prediction, range.Min, range.Max) : prediction;
        }

        public override void ScoreAll(int user, Span<float> scores) => ScoreRange(user, 0, scores);

        public override bool ScoresRanges => true;

        public override void ScoreRange(int user, int start, Span<float> scores)
        {
            Simd.MultiplyRows(state.Item.AsSpan(start * _k, scores.Length * _k), state.User.AsSpan(user * _k, _k), scores);
            TensorPrimitives.Add(scores, state.ItemBias.AsSpan(start, scores.Length), scores);
            TensorPrimitives.Add(scores, mean + state.UserBias[user], scores);
        }

        public override void ScoreItems(int user, ReadOnlySpan<int> items, Span<float> scores)
        {
            for (int i = 0; i < items.Length; i++)
            {
                scores[i] = Predict(user, items[i]);
            }
        }

        public override bool TrySimilarTo(int item, Span<float> scores)
        {
            ReadOnlySpan<float> y = state.Item.AsSpan(item * _k, _k);
            float norm = TensorPrimitives.Norm(y);
            if (norm == 0f)
            {
                return false;
            }

            Simd.MultiplyRows(state.Item, y, scores);
            for (int j = 0; j < scores.Length; j++)
            {
                float other = TensorPrimitives.Norm(state.Item.AsSpan(j * _k, _k));
                scores[j] = other == 0f ? 0f : scores[j] / (norm * other);
            }

            return true;
        }
    }
}
