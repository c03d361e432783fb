using System.Numerics.Tensors;
using RecEngine.Data;
using RecEngine.Evaluation;
using RecEngine.Ingest;
using RecEngine.Persistence;

namespace RecEngine.Models.Neural;

/// <summary>
/// The neural scorer following events in an engine: new users and items get zero embeddings (and zero features),
/// every event is remembered as seen, and, with <see cref="NeuralOnlineOptions.Enabled"/>, applies one SGD step to
/// the user's embedding (and the items') through the fixed network, so the scorer follows the user in real time.
/// </summary>
/// <remarks>
/// <para>
/// <b>Step</b> for an event (u, i, w): rows (u, i) with label 1 (0 when w &lt; 0) and (u, j) with label 0 for one
/// uniformly drawn item j ≠ i; the gradient of the binary cross-entropy of both rows with respect to the inputs is
/// carried back to the embeddings (through the product block too), and <c>e ← e − η g</c>. The network's weights and
/// the training-time features do not change: a retrain brings those up to date.
/// </para>
/// <para>
/// Embeddings live in copy-on-write chunked rows: readers keep the version they took while a micro-batch writes the
/// next, which is published at the batch's end. One writer at a time.
/// </para>
/// <para>
/// <b>Saved state</b> (<see cref="CaptureState"/>, kind <see cref="StateKind"/>): what the interactions do not
/// determine, that is the network, the side features of training, the embeddings as the online steps left them and
/// the state of the negatives' generator, so a restored model serves the same scores bit for bit and takes the same
/// steps on later events. The online step is plain SGD, so there are no optimiser moments to keep (the AdamW moments
/// of training are not used after it). Seen items and the popularity fallback follow from the interactions.
/// </para>
/// </remarks>
internal sealed class LiveNeural : ILiveModel
{
    private readonly NeuralState _state;
    private readonly NeuralOnlineOptions _online;
    private readonly ChunkedRows _users;
    private readonly ChunkedRows _items;
    private readonly LiveServing _serving;
    private readonly SplitMix64 _random;
    private readonly Mlp<float>.Workspace _workspace;
    private readonly float[] _inputs;
    private readonly float[] _inputGradients;
    private readonly float[] _logits = new float[2];
    private readonly float[] _logitGradients = new float[2];
    private readonly System.Collections.Concurrent.ConcurrentBag<NeuralRecommender.NeuralModel.Buffers> _buffers = [];
    private readonly float[] _userGradient;
    private readonly float[] _itemGradient;

    /// <summary>The kind (and layout version) of the state <see cref="CaptureState"/> writes.</summary>
    public const string StateKind = "neural/1";

    private const string Name = "mlp";

    public LiveNeural(NeuralRecommender fitted, NeuralOnlineOptions? online)
        : this(Trained(fitted), online, randomState: null)
    {
    }

    private LiveNeural((NeuralState State, FitContext Context) start, NeuralOnlineOptions? online, ulong? randomState)
    {
        _online = online ?? new NeuralOnlineOptions();
        _online.Validate();
        _state = start.State;
        int d = _state.Embedding;
        _users = new ChunkedRows(d, _state.Users, 64);
        _items = new ChunkedRows(d, _state.Items, 256);
        _serving = new LiveServing(Name, start.Context);
        _random = new SplitMix64(randomState ?? (((ulong)(uint)_online.Seed << 32) | 0x011E));
        // Online steps move the embeddings only: the network is fixed, so its transpose is taken once.
        _workspace = _state.Network.CreateWorkspace(2, fixedWeights: true);
        _inputs = new float[2 * _state.InputWidth];
        _inputGradients = new float[_inputs.Length];
        _userGradient = new float[d];
        _itemGradient = new float[d];
        Publish();
    }

    public IRecommender Recommender => _serving.Recommender;

    /// <summary>
    /// Restores a model from <paramref name="history"/> (every interaction it had applied) and the state
    /// <see cref="CaptureState"/> wrote. Returns null when the state does not fit <paramref name="options"/> (another
    /// embedding width or other hidden layers), holds more rows than the history has users or items, holds a NaN or
    /// infinite value, or is malformed: the caller then trains afresh.
    /// </summary>
    public static LiveNeural? TryRestore(InteractionDataset history, NeuralOptions options, NeuralOnlineOptions? online, byte[] state)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(state);
        try
        {
            using var input = new MemoryStream(state, writable: false);
            using var reader = new StateReader(input, state.Length, "The saved neural state");
            int d = reader.ReadInt32();
            bool product = reader.ReadBoolean();
            if (d != options.EmbeddingSize || product != options.IncludeProduct)
            {
                return null;
            }

            Mlp<float> network = NeuralRecommender.ReadNetwork(reader, options);
            float[] userFeatures = ReadTable(reader, out int userWidth, history.UserCount, "user feature");
            float[] itemFeatures = ReadTable(reader, out int itemWidth, history.ItemCount, "item feature");
            float[] users = ReadRows(reader, d, history.UserCount, "user embedding value");
            float[] items = ReadRows(reader, d, history.ItemCount, "item embedding value");
            ulong random = reader.ReadUInt64();
            reader.CheckEnd();
            var features = new NeuralFeatures(userWidth, userFeatures, itemWidth, itemFeatures);
            if (NeuralState.InputWidthOf(d, product, features) != network.InputSize)
            {
                return null;
            }

            var restored = new NeuralState(network, users, items, d, product, features);
            return new LiveNeural((restored, FitContext.Create(history)), online, random);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or ArgumentException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>
    /// The state the interactions do not determine, layout <see cref="StateKind"/> (little-endian, arrays with their
    /// count): i32 embedding width, bool product block, the layer widths (i32[]) and the network's parameters (f32[]),
    /// the user and item side features (each an i32 width and f32[]), the published user and item embeddings (each an
    /// i32 row count and f32[]), and the u64 state of the negatives' generator.
    /// </summary>
    public SavedState CaptureState()
    {
        ChunkedRows.Version users = _users.Published;
        ChunkedRows.Version items = _items.Published;
        NeuralFeatures features = _state.Features;
        int d = _state.Embedding;
        long bytes = 64L + (4L * (_state.Network.Sizes.Length + _state.Network.Parameters.Length + features.User.Length + features.Item.Length))
            + (4L * d * ((long)users.Count + items.Count));
        using var buffer = new MemoryStream((int)Math.Min(bytes, Array.MaxLength));
        using (var writer = new StateWriter(buffer))
        {
            writer.Write(d);
            writer.Write(_state.Product);
            writer.WriteArray<int>(_state.Network.Sizes);
            writer.WriteArray<float>(_state.Network.Parameters);
            writer.Write(features.UserWidth);
            writer.WriteArray<float>(features.User);
            writer.Write(features.ItemWidth);
            writer.WriteArray<float>(features.Item);
            WriteRows(writer, users);
            WriteRows(writer, items);
            writer.Write(_random.State);
        }

        return new SavedState(StateKind, buffer.ToArray());
    }

    public void Apply(ReadOnlySpan<WeightedEvent> batch)
    {
        foreach (WeightedEvent e in batch)
        {
            int user = _serving.Users.GetOrAdd(e.Event.UserId);
            int item = _serving.Items.GetOrAdd(e.Event.ItemId);
            _users.Grow(user + 1);
            _items.Grow(item + 1);
            if (_online.Enabled && e.Weight != 0)
            {
                Step(user, item, e.Weight > 0);
            }

            _serving.Observe(user, item);
        }

        Publish();
    }

    /// <summary>One SGD step on (user, item) with the given label and on one drawn negative.</summary>
    private void Step(int user, int item, bool positive)
    {
        int items = _items.Count;
        int negative = items > 1 ? _random.Next(items - 1) : item;
        negative += negative >= item && items > 1 ? 1 : 0;
        int width = _state.InputWidth;
        _state.WriteInput(user, _users.Current(user), item, _items.Current(item), _inputs.AsSpan(0, width));
        _state.WriteInput(user, _users.Current(user), negative, _items.Current(negative), _inputs.AsSpan(width, width));
        _state.Network.Forward(_workspace, _inputs, 2, _logits);
        Losses.BinaryCrossEntropy(_logits[0], positive ? 1f : 0f, out _logitGradients[0]);
        Losses.BinaryCrossEntropy(_logits[1], 0f, out _logitGradients[1]);
        _state.Network.Backward(_workspace, _inputs, 2, _logitGradients, _inputGradients, default);

        float rate = (float)_online.LearningRate;
        Array.Clear(_userGradient);
        for (int row = 0; row < 2; row++)
        {
            int other = row == 0 ? item : negative;
            Array.Clear(_itemGradient);
            _state.AddEmbeddingGradients(_users.Current(user), _items.Current(other), _inputGradients.AsSpan(row * width, width), _userGradient, _itemGradient);
            if (_online.UpdateItems)
            {
                Span<float> target = _items.Writable(other);
                TensorPrimitives.MultiplyAdd(_itemGradient, -rate, target, target);
            }
        }

        Span<float> embedding = _users.Writable(user);
        TensorPrimitives.MultiplyAdd(_userGradient, -rate, embedding, embedding);
    }

    private static (NeuralState, FitContext) Trained(NeuralRecommender fitted)
    {
        ArgumentNullException.ThrowIfNull(fitted);
        var model = (NeuralRecommender.NeuralModel)(fitted.TrainedOrNull ?? throw new InvalidOperationException("The neural scorer must be fitted before it goes live."));
        return (model.State, model.Context);
    }

    private static void WriteRows(StateWriter writer, ChunkedRows.Version version)
    {
        writer.Write(version.Count);
        writer.Write(version.Count * version.Width);
        for (int row = 0; row < version.Count; row++)
        {
            writer.WriteValues(version.Row(row));
        }
    }

    /// <summary>Reads rows written by <see cref="WriteRows"/>: at most <paramref name="maxRows"/> of width <paramref name="width"/>, all finite.</summary>
    private static float[] ReadRows(StateReader reader, int width, int maxRows, string what)
    {
        int rows = reader.ReadInt32();
        if (rows < 0 || rows > maxRows)
        {
            throw reader.Invalid($"has {rows} rows of {what}s where at most {maxRows} belong.");
        }

        return reader.ReadFinite(rows * width, what);
    }

    /// <summary>Reads a feature table: its width, then rows of that width (at most <paramref name="maxRows"/>), all finite.</summary>
    private static float[] ReadTable(StateReader reader, out int width, int maxRows, string what)
    {
        width = reader.ReadInt32();
        if (width is < 0 or > 1 << 16)
        {
            throw reader.Invalid($"has {width} {what}s per row.");
        }

        float[] values = reader.ReadArray<float>(what);
        reader.CheckFinite(values, what);
        if (width == 0 ? values.Length != 0 : values.Length % width != 0 || values.Length / width > maxRows)
        {
            throw reader.Invalid($"has {values.Length} {what}s, not rows of {width} for at most {maxRows} rows.");
        }

        return values;
    }

    private void Publish()
    {
        ChunkedRows.Version users = _users.Publish();
        ChunkedRows.Version items = _items.Publish();
        _serving.Show(users.Count, items.Count, context => new NeuralRecommender.NeuralModel(context, _state, new VersionEmbeddings(users, items), _buffers));
    }

    /// <summary>The embeddings of one published version.</summary>
    private sealed class VersionEmbeddings(ChunkedRows.Version users, ChunkedRows.Version items) : EmbeddingSource
    {
        public override ReadOnlySpan<float> User(int user) => users.Row(user);

        public override ReadOnlySpan<float> Item(int item) => items.Row(item);
    }
}
