using System.Buffers;
using System.Numerics.Tensors;
using RecEngine.Data;
using RecEngine.Kernels;
using RecEngine.Persistence;

namespace RecEngine.Models.Factorization;

/// <summary>
/// Matrix factorisation for implicit feedback by alternating least squares (Hu, Koren and Volinsky 2008,
/// "Collaborative Filtering for Implicit Feedback Datasets"): every user-item cell is a 0/1 preference weighted
/// by a confidence <c>1 + α|r|</c>, and user and item factors are solved in turn, each row exactly (Cholesky) or by
/// a few warm-started conjugate-gradient steps (Takács et al. 2011).
/// </summary>
/// <remarks>
/// <para>
/// Objective (eq. 3): <c>Σ_u,i c_ui (p_ui - x_uᵀ y_i)² + λ (Σ_u ‖x_u‖² + Σ_i ‖y_i‖²)</c> over all cells. A half-step
/// costs O(nnz · k · steps + rows · k²) with CG; the shared YᵀY makes it linear in the interactions.
/// </para>
/// <para>
/// Scores are <c>x_uᵀ y_i</c>; <c>SimilarItems</c> ranks by the cosine of item factors; <see cref="Explain"/>
/// decomposes a score into contributions of the user's items. Factors are contiguous row-major <c>float[]</c>.
/// Thread safety: see <see cref="RecommenderBase"/>; training is multi-threaded and deterministic for a fixed seed
/// and degree of parallelism.
/// </para>
/// </remarks>
public sealed class ImplicitAlsRecommender : RecommenderBase
{
    private readonly ImplicitAlsOptions _options;

    /// <summary>Creates the recommender.</summary>
    /// <param name="options">Options, copied; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the exception names it).</exception>
    public ImplicitAlsRecommender(ImplicitAlsOptions? options = null)
    {
        options ??= new ImplicitAlsOptions();
        options.Validate();
        _options = options.Clone();
    }

    /// <inheritdoc/>
    public override string Name => "als";

    /// <summary>Number of latent factors k.</summary>
    public int Factors => _options.Factors;

    /// <summary>The current trained state (for the live model built on it).</summary>
    internal AlsModel Trained => (AlsModel)Current;

    /// <summary>Copies the user's factors into <paramref name="destination"/> (length k).</summary>
    /// <returns><see langword="false"/> for a user unknown to the trained model.</returns>
    public bool TryGetUserFactors(string userId, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(userId);
        AlsModel model = Trained;
        int user = model.Context.TrainedUserIndex(userId);
        if (user < 0)
        {
            return false;
        }

        model.UserRow(user).CopyTo(destination);
        return true;
    }

    /// <summary>Copies the item's factors into <paramref name="destination"/> (length k).</summary>
    /// <returns><see langword="false"/> for an item unknown to the trained model.</returns>
    public bool TryGetItemFactors(string itemId, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        AlsModel model = Trained;
        int item = model.Context.TrainedItemIndex(itemId);
        if (item < 0)
        {
            return false;
        }

        model.ItemRow(item).CopyTo(destination);
        return true;
    }

    /// <summary>
    /// Computes exactly (Cholesky) the factors a user with the given interactions gets against the trained item
    /// factors: the same solve a training half-step makes, for a new user or after new events. Unknown item ids
    /// are ignored; an item given more than once counts once with the sum of its values, as training sums repeated
    /// interactions.
    /// </summary>
    /// <param name="itemIds">The user's items.</param>
    /// <param name="values">The interaction values r, aligned with <paramref name="itemIds"/> (1 for plain positives).</param>
    /// <param name="destination">Receives the k factors.</param>
    /// <exception cref="ArgumentException">The spans have different lengths or the destination is not k long.</exception>
    public void FoldInUser(ReadOnlySpan<string> itemIds, ReadOnlySpan<float> values, Span<float> destination)
    {
        FoldIn(itemIds, values, destination, users: false, nameof(itemIds));
    }

    /// <summary>
    /// Computes exactly (Cholesky) the factors an item with the given interactions gets against the trained user
    /// factors: the item half-step's solve, for a new item or after new events. Unknown user ids are ignored; a user
    /// given more than once counts once with the sum of their values, as training sums repeated interactions.
    /// </summary>
    /// <param name="userIds">The users who interacted with the item.</param>
    /// <param name="values">The interaction values r, aligned with <paramref name="userIds"/> (1 for plain positives).</param>
    /// <param name="destination">Receives the k factors.</param>
    /// <exception cref="ArgumentException">The spans have different lengths or the destination is not k long.</exception>
    public void FoldInItem(ReadOnlySpan<string> userIds, ReadOnlySpan<float> values, Span<float> destination)
    {
        FoldIn(userIds, values, destination, users: true, nameof(userIds));
    }

    /// <summary>Maps ids to training indices (dropping unknown ids and non-finite values) and solves one row.</summary>
    private void FoldIn(ReadOnlySpan<string> ids, ReadOnlySpan<float> values, Span<float> destination, bool users, string idsName)
    {
        if (values.Length != ids.Length)
        {
            throw new ArgumentException($"{ids.Length} ids were given with {values.Length} values.", nameof(values));
        }

        if (destination.Length != Factors)
        {
            throw new ArgumentException($"The destination must hold {Factors} factors.", nameof(destination));
        }

        AlsModel model = Trained;
        int[] indexBuffer = ArrayPool<int>.Shared.Rent(ids.Length);
        float[] valueBuffer = ArrayPool<float>.Shared.Rent(ids.Length);
        try
        {
            int count = 0;
            for (int j = 0; j < ids.Length; j++)
            {
                ArgumentNullException.ThrowIfNull(ids[j], idsName);
                int index = users ? model.Context.TrainedUserIndex(ids[j]) : model.Context.TrainedItemIndex(ids[j]);
                if (index >= 0 && float.IsFinite(values[j]))
                {
                    indexBuffer[count] = index;
                    valueBuffer[count++] = values[j];
                }
            }

            count = SumRepeated(indexBuffer.AsSpan(0, count), valueBuffer.AsSpan(0, count));

            // Folding in from users solves an item row, and from items a user row.
            model.FoldIn(item: users, indexBuffer.AsSpan(0, count), valueBuffer.AsSpan(0, count), destination);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(indexBuffer);
            ArrayPool<float>.Shared.Return(valueBuffer);
        }
    }

    /// <summary>
    /// Sorts the entries by index and merges repeated indices into one entry with the sum of their values, as the
    /// training matrix sums repeated interactions (<see cref="DuplicatePolicy.Sum"/>): a row's confidence and
    /// preference come from its summed value, so two entries of 1 are one entry of 2, not two of 1. Returns the
    /// number of entries left at the start of the spans.
    /// </summary>
    private static int SumRepeated(Span<int> indices, Span<float> values)
    {
        indices.Sort(values);
        int count = 0;
        for (int j = 0; j < indices.Length; j++)
        {
            if (count > 0 && indices[count - 1] == indices[j])
            {
                values[count - 1] += values[j];
            }
            else
            {
                indices[count] = indices[j];
                values[count++] = values[j];
            }
        }

        return count;
    }

    /// <summary>
    /// Explains the score of <paramref name="itemId"/> for <paramref name="userId"/>: with W = (YᵀCᵤY + λI) = LLᵀ the
    /// user's exact normal matrix, <c>x_uᵀy_i = Σ_j c_uj p_uj (L⁻¹y_j)ᵀ(L⁻¹y_i)</c>, one additive term per item j of
    /// the user (the decomposition the implicit library's <c>explain</c> uses).
    /// </summary>
    /// <param name="userId">The user.</param>
    /// <param name="itemId">The item to explain.</param>
    /// <param name="count">How many contributions to return (largest first).</param>
    /// <returns>The explanation, or <see langword="null"/> when the user or the item is unknown.</returns>
    /// <remarks>The score is that of the exact solve, which differs slightly from a CG-trained score.</remarks>
    public Explanation? Explain(string userId, string itemId, int count = 10)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(itemId);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        AlsModel model = Trained;
        int user = model.Context.TrainedUserIndex(userId);
        int item = model.Context.TrainedItemIndex(itemId);
        if (user < 0 || item < 0 || !model.CanPersonalize(user))
        {
            return null;
        }

        return model.Explain(user, item, count);
    }

    private protected override TrainedModel Train(InteractionDataset dataset, FitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ImplicitAlsOptions o = _options;
        int k = o.Factors;
        var matrix = InteractionMatrix.Build(dataset, o.Values, DuplicatePolicy.Sum);
        int users = matrix.Rows;
        int items = matrix.Columns;
        var userFactors = new float[users * k];
        var itemFactors = new float[items * k];
        var random = new Random(o.Seed);
        for (int i = 0; i < itemFactors.Length; i++)
        {
            itemFactors[i] = (float)((random.NextDouble() * 2) - 1) * o.InitialScale;
        }

        var trainer = new AlsTrainer(o, matrix, cancellationToken);
        var gram = new float[k * k];
        for (int iteration = 1; iteration <= o.Iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            trainer.SolveUsers(userFactors, itemFactors, gram);
            trainer.SolveItems(itemFactors, userFactors, gram);
            if (progress is not null)
            {
                progress.Report(new TrainingProgress("iteration", iteration, o.Iterations, trainer.Loss(userFactors, itemFactors)));
            }
        }

        // The regularised Gram matrices of the final factors, for fold-in and explanations.
        Simd.Gram(itemFactors, items, k, gram, trainer.DegreeOfParallelism);
        AddToDiagonal(gram, k, o.Regularization);
        var userGram = new float[k * k];
        Simd.Gram(userFactors, users, k, userGram, trainer.DegreeOfParallelism);
        AddToDiagonal(userGram, k, o.Regularization);
        return new AlsModel(context, o, matrix, userFactors, itemFactors, gram, userGram);
    }

    internal static void AddToDiagonal(Span<float> matrix, int k, float value)
    {
        for (int i = 0; i < k; i++)
        {
            matrix[(i * k) + i] += value;
        }
    }

    /// <summary>Half-steps and the objective over one interaction matrix.</summary>
    internal sealed class AlsTrainer(ImplicitAlsOptions options, InteractionMatrix matrix, CancellationToken cancellationToken)
    {
        public int DegreeOfParallelism { get; } = options.DegreeOfParallelism ?? Environment.ProcessorCount;

        public void SolveUsers(float[] userFactors, float[] itemFactors, float[] gram) =>
            HalfStep(matrix.ByUser, userFactors, itemFactors, matrix.Columns, gram);

        public void SolveItems(float[] itemFactors, float[] userFactors, float[] gram) =>
            HalfStep(matrix.ByItem, itemFactors, userFactors, matrix.Rows, gram);

        private readonly int _maxEntries = Math.Max(matrix.ByUser.MaxLength(), matrix.ByItem.MaxLength());

        private void HalfStep(SparseRows rows, float[] target, float[] other, int otherRows, float[] gram)
        {
            int k = options.Factors;
            int scratchLength = ImplicitLeastSquares.ScratchLength(k, _maxEntries);
            Simd.Gram(other, otherRows, k, gram, DegreeOfParallelism);
            AddToDiagonal(gram, k, options.Regularization);
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = DegreeOfParallelism, CancellationToken = cancellationToken };
            Parallel.For(
                0,
                rows.Count,
                parallel,
                () => new float[scratchLength],
                (row, _, scratch) =>
                {
                    ImplicitLeastSquares.Solve(
                        options.Solver, options.ConjugateGradientSteps, gram, other, k,
                        rows.IndicesOf(row), rows.ValuesOf(row), options.Alpha, target.AsSpan(row * k, k), scratch);
                    return scratch;
                },
                _ => { });
        }

        /// <summary>
        /// The objective of eq. 3 in O(nnz · k + users · k²): over all cells Σ c (p - s)² equals
        /// Σ_u x_uᵀ(YᵀY)x_u (every cell as if unobserved) plus, on observed cells, c(p - s)² - s².
        /// </summary>
        public double Loss(float[] userFactors, float[] itemFactors)
        {
            int k = options.Factors;
            var gram = new float[k * k];
            Simd.Gram(itemFactors, matrix.Columns, k, gram, DegreeOfParallelism);
            var gx = new float[k];
            double loss = 0;
            for (int u = 0; u < matrix.Rows; u++)
            {
                ReadOnlySpan<float> x = userFactors.AsSpan(u * k, k);
                Simd.MultiplyTransposed(gram, x, gx);
                loss += TensorPrimitives.Dot(x, gx);
                ReadOnlySpan<int> items = matrix.RowColumns(u);
                ReadOnlySpan<float> values = matrix.RowValues(u);
                for (int j = 0; j < items.Length; j++)
                {
                    double s = TensorPrimitives.Dot(x, itemFactors.AsSpan(items[j] * k, k));
                    double r = values[j];
                    double c = 1 + (options.Alpha * Math.Abs(r));
                    double p = r > 0 ? 1 : 0;
                    loss += (c * (p - s) * (p - s)) - (s * s);
                }
            }

            double norms = TensorPrimitives.Dot<float>(userFactors, userFactors) + (double)TensorPrimitives.Dot<float>(itemFactors, itemFactors);
            return loss + (options.Regularization * norms);
        }
    }

    /// <summary>The kind under which model files store this recommender.</summary>
    internal const string Kind = "implicit-als";

    /// <inheritdoc/>
    internal override string StateKind => Kind;

    /// <inheritdoc/>
    internal override void WriteState(StateWriter writer, TrainedModel model)
    {
        var trained = (AlsModel)model;
        trained.Options.Write(writer);
        writer.WriteMatrix(trained.Matrix);
        writer.WriteArray(trained.UserFactors);
        writer.WriteArray<float>(trained.ItemFactors);
        writer.WriteArray<float>(trained.RegularizedGram);
        writer.WriteArray<float>(trained.RegularizedUserGram);
    }

    /// <summary>Reads a recommender written by <see cref="WriteState"/>.</summary>
    internal static ImplicitAlsRecommender ReadState(StateReader reader, FitContext context)
    {
        var recommender = new ImplicitAlsRecommender(ImplicitAlsOptions.Read(reader));
        ImplicitAlsOptions options = recommender._options;
        int k = options.Factors;
        InteractionMatrix matrix = reader.ReadMatrix(context.UserCount, context.ItemCount, "training");
        float[] users = reader.ReadFinite(checked(context.UserCount * k), "user factor");
        float[] items = reader.ReadFinite(checked(context.ItemCount * k), "item factor");
        float[] gram = reader.ReadFinite(k * k, "item Gram entry");
        float[] userGram = reader.ReadFinite(k * k, "user Gram entry");
        recommender.Restore(new AlsModel(context, options, matrix, users, items, gram, userGram));
        return recommender;
    }

    internal sealed class AlsModel : TrainedModel
    {
        private readonly ImplicitAlsOptions _options;
        private readonly InteractionMatrix _matrix;
        private readonly float[] _userFactors;
        private readonly float[] _itemFactors;
        private readonly float[] _regularizedGram;
        private readonly float[] _regularizedUserGram;
        private readonly float[] _itemNorms;
        private readonly FactorScreen? _screen;
        private readonly int _k;

        public AlsModel(FitContext context, ImplicitAlsOptions options, InteractionMatrix matrix, float[] userFactors, float[] itemFactors, float[] regularizedGram, float[] regularizedUserGram)
            : base(context)
        {
            _regularizedUserGram = regularizedUserGram;
            _options = options;
            _matrix = matrix;
            _userFactors = userFactors;
            _itemFactors = itemFactors;
            _regularizedGram = regularizedGram;
            _k = options.Factors;
            _itemNorms = new float[matrix.Columns];
            for (int i = 0; i < _itemNorms.Length; i++)
            {
                _itemNorms[i] = TensorPrimitives.Norm(ItemRow(i));
            }

            _screen = FactorScreen.TryCreate(userFactors, itemFactors, _k);
        }

        public ImplicitAlsOptions Options => _options;

        /// <summary>The training matrix (users by items, the values the model was fitted on).</summary>
        public InteractionMatrix Matrix => _matrix;

        /// <summary>All user factors, row-major.</summary>
        public ReadOnlySpan<float> UserFactors => _userFactors;

        /// <summary>All item factors, row-major; never written after training.</summary>
        public float[] ItemFactors => _itemFactors;

        /// <summary>YᵀY + λI of the item factors.</summary>
        public float[] RegularizedGram => _regularizedGram;

        /// <summary>XᵀX + λI of the user factors.</summary>
        public float[] RegularizedUserGram => _regularizedUserGram;

        public ReadOnlySpan<float> UserRow(int user) => _userFactors.AsSpan(user * _k, _k);

        /// <summary>A user whose factors are all zero scores every item 0: the popularity fallback serves them.</summary>
        public override bool CanPersonalize(int user) => base.CanPersonalize(user) && UserRow(user).IndexOfAnyExcept(0f) >= 0;

        public ReadOnlySpan<float> ItemRow(int item) => _itemFactors.AsSpan(item * _k, _k);

        public override void ScoreAll(int user, Span<float> scores) => Simd.MultiplyRows(_itemFactors, UserRow(user), scores);

        public override bool ScoresRanges => true;

        public override void ScoreRange(int user, int start, Span<float> scores) =>
            Simd.MultiplyRows(_itemFactors.AsSpan(start * _k, scores.Length * _k), UserRow(user), scores);

        public override void ScoreItems(int user, ReadOnlySpan<int> items, Span<float> scores) =>
            Simd.MultiplyRows(_itemFactors, items, UserRow(user), scores[..items.Length]);

        public override ScoreScreen? Screen => _screen;

        public override bool TrySimilarTo(int item, Span<float> scores)
        {
            float norm = _itemNorms[item];
            if (norm == 0f)
            {
                return false;
            }

            Simd.MultiplyRows(_itemFactors, ItemRow(item), scores);
            for (int j = 0; j < scores.Length; j++)
            {
                float other = _itemNorms[j];
                scores[j] = other == 0f ? 0f : scores[j] / (norm * other);
            }

            return true;
        }

        /// <summary>The exact row solve of a user (against the item factors) or of an item (against the user factors).</summary>
        public void FoldIn(bool item, ReadOnlySpan<int> indices, ReadOnlySpan<float> values, Span<float> destination)
        {
            float[] scratch = ArrayPool<float>.Shared.Rent(ImplicitLeastSquares.ScratchLength(_k, indices.Length));
            try
            {
                ImplicitLeastSquares.Solve(
                    AlsSolver.Cholesky, 0, item ? _regularizedUserGram : _regularizedGram, item ? _userFactors : _itemFactors,
                    _k, indices, values, _options.Alpha, destination, scratch);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        }

        public Explanation Explain(int user, int item, int count)
        {
            int k = _k;
            ReadOnlySpan<int> items = _matrix.RowColumns(user);
            ReadOnlySpan<float> values = _matrix.RowValues(user);
            var u = (float[])_regularizedGram.Clone();
            ImplicitLeastSquares.AddConfidenceTerms(u, _itemFactors, k, items, values, _options.Alpha, new float[items.Length]);
            if (!Cholesky.Factor(u, k))
            {
                return new Explanation(Context.Items.GetId(item), 0f, []);
            }

            // z_i = L⁻¹ y_i by forward substitution; contribution_j = c_j p_j (L⁻¹ y_j) · z_i.
            float[] target = ForwardSubstitute(u, k, ItemRow(item));
            var contributions = new List<ItemContribution>(items.Length);
            float total = 0f;
            for (int j = 0; j < items.Length; j++)
            {
                float r = values[j];
                if (r <= 0f)
                {
                    continue;
                }

                float c = 1f + (_options.Alpha * r);
                float share = c * TensorPrimitives.Dot(ForwardSubstitute(u, k, ItemRow(items[j])), target);
                total += share;
                contributions.Add(new ItemContribution(Context.Items.GetId(items[j]), share));
            }

            contributions.Sort((a, b) => b.Contribution.CompareTo(a.Contribution));
            return new Explanation(Context.Items.GetId(item), total, contributions.Take(count).ToArray());
        }

        /// <summary>z = L⁻¹ y with L = Uᵀ the factor of the user's normal matrix.</summary>
        private static float[] ForwardSubstitute(ReadOnlySpan<float> u, int k, ReadOnlySpan<float> y)
        {
            float[] z = y.ToArray();
            Cholesky.ForwardSubstitute(u, k, z);
            return z;
        }
    }
}
