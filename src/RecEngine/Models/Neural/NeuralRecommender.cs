using System.Collections.Concurrent;
using System.Numerics.Tensors;
using RecEngine.Data;
using RecEngine.Persistence;

namespace RecEngine.Models.Neural;

/// <summary>
/// A neural scorer: a multilayer perceptron over a user embedding, an item embedding (optionally their element-wise
/// product), item content and context features, with ReLU hidden layers and a sigmoid output, trained on implicit
/// feedback with sampled negatives (the NCF family, He et al. 2017, "Neural Collaborative Filtering").
/// </summary>
/// <remarks>
/// <para>
/// <b>Training</b> (<see cref="NeuralOptions"/>): mini-batch AdamW with decoupled weight decay on binary
/// cross-entropy over positives and sampled negatives (uniform or popularity-based), or on BPR pairs; early stopping
/// on held-out pairs keeps the best epoch; deterministic for a seed and thread count; progress (epoch and
/// validation losses) through <see cref="IProgress{T}"/>; cancellable between mini-batches.
/// </para>
/// <para>
/// <b>Scoring</b>: the score of an item is the network's logit (the sigmoid is monotone, so rankings use the logit).
/// Items are scored in blocks of up to 256 rows with pooled buffers: no allocation per call after warm-up. Similar
/// items are the cosine of item embeddings. Thread safety: see <see cref="RecommenderBase"/>.
/// </para>
/// </remarks>
public sealed class NeuralRecommender : RecommenderBase
{
    private readonly NeuralOptions _options;

    /// <summary>Creates the recommender.</summary>
    /// <param name="options">Options, copied; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the exception names it).</exception>
    public NeuralRecommender(NeuralOptions? options = null)
    {
        options ??= new NeuralOptions();
        options.Validate();
        _options = options.Clone();
    }

    /// <inheritdoc/>
    public override string Name => "mlp";

    private protected override TrainedModel Train(InteractionDataset dataset, FitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        new NeuralModel(context, NeuralTrainer.Train(dataset, _options, progress, cancellationToken));

    /// <summary>The kind under which model files store this recommender.</summary>
    internal const string Kind = "neural";

    /// <inheritdoc/>
    internal override string StateKind => Kind;

    /// <inheritdoc/>
    internal override void WriteState(StateWriter writer, TrainedModel model)
    {
        NeuralState state = ((NeuralModel)model).State;
        _options.Write(writer);
        writer.Write(state.Embedding);
        writer.Write(state.Product);
        writer.WriteArray<int>(state.Network.Sizes);
        writer.WriteArray<float>(state.Network.Parameters);
        writer.WriteArray<float>(state.Users);
        writer.WriteArray<float>(state.Items);
        writer.Write(state.Features.UserWidth);
        writer.WriteArray<float>(state.Features.User);
        writer.Write(state.Features.ItemWidth);
        writer.WriteArray<float>(state.Features.Item);
    }

    /// <summary>Reads a recommender written by <see cref="WriteState"/>.</summary>
    internal static NeuralRecommender ReadState(StateReader reader, FitContext context)
    {
        var recommender = new NeuralRecommender(NeuralOptions.Read(reader));
        NeuralOptions options = recommender._options;
        int d = reader.ReadInt32();
        bool product = reader.ReadBoolean();
        if (d != options.EmbeddingSize || product != options.IncludeProduct)
        {
            throw reader.Invalid($"has embeddings of width {d} (product {product}) where its options say {options.EmbeddingSize} ({options.IncludeProduct}).");
        }

        Mlp<float> network = ReadNetwork(reader, options);
        float[] users = reader.ReadFinite(checked(context.UserCount * d), "user embedding value");
        float[] items = reader.ReadFinite(checked(context.ItemCount * d), "item embedding value");
        int userWidth = reader.ReadInt32();
        float[] userFeatures = userWidth is >= 0 and <= 1 << 16 ? reader.ReadFinite(checked(context.UserCount * userWidth), "user feature") : throw reader.Invalid($"has {userWidth} user features.");
        int itemWidth = reader.ReadInt32();
        float[] itemFeatures = itemWidth is >= 0 and <= 1 << 16 ? reader.ReadFinite(checked(context.ItemCount * itemWidth), "item feature") : throw reader.Invalid($"has {itemWidth} item features.");
        var features = new NeuralFeatures(userWidth, userFeatures, itemWidth, itemFeatures);
        if (NeuralState.InputWidthOf(d, product, features) != network.InputSize)
        {
            throw reader.Invalid($"has a network of {network.InputSize} inputs for embeddings and features of {NeuralState.InputWidthOf(d, product, features)}.");
        }

        var state = new NeuralState(network, users, items, d, product, features);
        recommender.Restore(new NeuralModel(context, state));
        return recommender;
    }

    /// <summary>
    /// Reads the layer widths and the parameters of a network (as <see cref="WriteState"/> writes them), which must
    /// have the hidden layers of <paramref name="options"/> and finite parameters.
    /// </summary>
    /// <exception cref="InvalidDataException">The widths are not the options' or a parameter is not finite.</exception>
    internal static Mlp<float> ReadNetwork(StateReader reader, NeuralOptions options)
    {
        // The hidden widths are the options' (validated, bounded); only the input width depends on the features.
        int[] sizes = reader.ReadArray<int>("layer width");
        if (sizes.Length != options.HiddenLayers.Count + 2 || sizes[^1] != 1 || sizes[0] is < 1 or > 1 << 20
            || !sizes.AsSpan(1, options.HiddenLayers.Count).SequenceEqual([.. options.HiddenLayers]))
        {
            throw reader.Invalid($"has layer widths [{string.Join(", ", sizes)}] that are not its options' [input, {string.Join(", ", options.HiddenLayers)}, 1].");
        }

        long parameters = 0;
        for (int l = 0; l < sizes.Length - 1; l++)
        {
            parameters += ((long)sizes[l] * sizes[l + 1]) + sizes[l + 1];
        }

        if (parameters > int.MaxValue)
        {
            throw reader.Invalid($"has layers of {parameters} parameters.");
        }

        return Mlp<float>.FromParameters(sizes, reader.ReadFinite((int)parameters, "network parameter"));
    }

    /// <summary>
    /// The scorer behind the contract: the network and features of <see cref="State"/>, with the embeddings of
    /// <see cref="Embeddings"/> (the state's own arrays, or a live model's published version).
    /// </summary>
    internal sealed class NeuralModel : TrainedModel
    {
        private const int Block = 256;
        private readonly ConcurrentBag<Buffers> _buffers;
        private float[]? _itemNorms;

        /// <param name="context">The version's context.</param>
        /// <param name="state">The network and features.</param>
        /// <param name="embeddings">The embeddings; <see langword="null"/> for the state's own.</param>
        /// <param name="buffers">Scoring buffers shared across a live model's versions (they depend on the network only); <see langword="null"/> for a pool of this model's own.</param>
        public NeuralModel(FitContext context, NeuralState state, EmbeddingSource? embeddings = null, ConcurrentBag<Buffers>? buffers = null)
            : base(context)
        {
            State = state;
            Embeddings = embeddings ?? new ArrayEmbeddings(state);
            _buffers = buffers ?? [];
        }

        public NeuralState State { get; }

        public EmbeddingSource Embeddings { get; }

        /// <summary>A user whose embedding is all zero (new, with no online step yet) gets the popularity fallback.</summary>
        public override bool CanPersonalize(int user) => base.CanPersonalize(user) && Embeddings.User(user).IndexOfAnyExcept(0f) >= 0;

        public override void ScoreAll(int user, Span<float> scores) => ScoreRange(user, 0, scores);

        public override bool ScoresRanges => true;

        public override void ScoreRange(int user, int start, Span<float> scores)
        {
            Buffers buffers = Rent();
            try
            {
                for (int done = 0; done < scores.Length; done += Block)
                {
                    int count = Math.Min(Block, scores.Length - done);
                    ReadOnlySpan<float> u = Embeddings.User(user);
                    for (int r = 0; r < count; r++)
                    {
                        int item = start + done + r;
                        State.WriteInput(user, u, item, Embeddings.Item(item), buffers.Row(r));
                    }

                    State.Network.Forward(buffers.Workspace, buffers.Inputs, count, scores.Slice(done, count));
                }
            }
            finally
            {
                _buffers.Add(buffers);
            }
        }

        public override void ScoreItems(int user, ReadOnlySpan<int> items, Span<float> scores)
        {
            Buffers buffers = Rent();
            try
            {
                for (int done = 0; done < items.Length; done += Block)
                {
                    int count = Math.Min(Block, items.Length - done);
                    ReadOnlySpan<float> u = Embeddings.User(user);
                    for (int r = 0; r < count; r++)
                    {
                        int item = items[done + r];
                        State.WriteInput(user, u, item, Embeddings.Item(item), buffers.Row(r));
                    }

                    State.Network.Forward(buffers.Workspace, buffers.Inputs, count, scores.Slice(done, count));
                }
            }
            finally
            {
                _buffers.Add(buffers);
            }
        }

        public override bool TrySimilarTo(int item, Span<float> scores)
        {
            // The norms are computed on the first similar-items call of a version, not at every live publish.
            float[] norms = LazyInitializer.EnsureInitialized(ref _itemNorms, () =>
            {
                var computed = new float[Context.ItemCount];
                for (int i = 0; i < computed.Length; i++)
                {
                    computed[i] = TensorPrimitives.Norm(Embeddings.Item(i));
                }

                return computed;
            });
            float norm = norms[item];
            if (norm == 0f)
            {
                return false;
            }

            ReadOnlySpan<float> target = Embeddings.Item(item);
            for (int j = 0; j < scores.Length; j++)
            {
                float other = norms[j];
                scores[j] = other == 0f ? 0f : TensorPrimitives.Dot(Embeddings.Item(j), target) / (norm * other);
            }

            return true;
        }

        private Buffers Rent() => _buffers.TryTake(out Buffers? buffers) ? buffers : new Buffers(State, Block);

        /// <summary>One caller's scoring buffers: a block of input rows and the network's forward workspace.</summary>
        internal sealed class Buffers(NeuralState state, int rows)
        {
            private readonly int _width = state.InputWidth;

            public float[] Inputs { get; } = new float[rows * state.InputWidth];

            public Mlp<float>.Workspace Workspace { get; } = state.Network.CreateWorkspace(rows, backward: false, fixedWeights: true);

            public Span<float> Row(int row) => Inputs.AsSpan(row * _width, _width);
        }
    }
}

/// <summary>Where a scorer reads its user and item embeddings from.</summary>
internal abstract class EmbeddingSource
{
    public abstract ReadOnlySpan<float> User(int user);

    public abstract ReadOnlySpan<float> Item(int item);
}

/// <summary>The embeddings of a trained state's arrays.</summary>
internal sealed class ArrayEmbeddings(NeuralState state) : EmbeddingSource
{
    public override ReadOnlySpan<float> User(int user) => state.UserRow(user);

    public override ReadOnlySpan<float> Item(int item) => state.ItemRow(item);
}
