using System.Numerics.Tensors;
using RecEngine.Evaluation;
using RecEngine.Ingest;

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

    public LiveNeural(NeuralRecommender fitted, NeuralOnlineOptions? online)
    {
        _online = online ?? new NeuralOnlineOptions();
        _online.Validate();
        var model = (NeuralRecommender.NeuralModel)(fitted.TrainedOrNull ?? throw new InvalidOperationException("The neural scorer must be fitted before it goes live."));
        _state = model.State;
        int d = _state.Embedding;
        _users = new ChunkedRows(d, _state.Users, 64);
        _items = new ChunkedRows(d, _state.Items, 256);
        _serving = new LiveServing(fitted.Name, model.Context);
        _random = new SplitMix64(((ulong)(uint)_online.Seed << 32) | 0x011E);
        // Online steps move the embeddings only: the network is fixed, so its transpose is taken once.
        _workspace = _state.Network.CreateWorkspace(2, fixedWeights: true);
        _inputs = new float[2 * _state.InputWidth];
        _inputGradients = new float[_inputs.Length];
        _userGradient = new float[d];
        _itemGradient = new float[d];
        Publish();
    }

    public IRecommender Recommender => _serving.Recommender;

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
