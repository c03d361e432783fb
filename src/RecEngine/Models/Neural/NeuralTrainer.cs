using RecEngine.Data;
using RecEngine.Evaluation;
using RecEngine.Models.Factorization;

namespace RecEngine.Models.Neural;

/// <summary>
/// Trains a <see cref="NeuralState"/>: mini-batch AdamW on binary cross-entropy with sampled negatives, or on BPR
/// pairs, with early stopping on held-out pairs.
/// </summary>
/// <remarks>
/// <para>
/// <b>Examples</b>: the (user, item) pairs of the training data whose summed event weight is positive are the
/// positives; pairs with a negative sum (dislikes) are cross-entropy examples labelled 0. Each epoch draws
/// <see cref="NeuralOptions.NegativesPerPositive"/> negatives per positive (from items the user never touched) and
/// shuffles; a cross-entropy example is one labelled row, a BPR example a (positive, negative) pair of rows.
/// </para>
/// <para>
/// <b>Determinism</b>: every mini-batch is split into one fixed slice per thread; each thread runs the forward and
/// backward passes of its slice into its own buffers; the network's gradients are then summed slice by slice and
/// the embeddings' gradients scattered row by row, in order. A seed and a thread count give the same model on every
/// run.
/// </para>
/// <para>
/// <b>Updates</b>: the network's parameters by AdamW every batch; the embedding rows the batch touched by lazy AdamW
/// (<see cref="AdamW{T}.StepRows"/>). The loss is the batch mean.
/// </para>
/// </remarks>
internal sealed class NeuralTrainer : IDisposable
{
    private readonly NeuralOptions _options;
    private readonly NeuralState _state;
    private readonly InteractionMatrix _seen;
    private readonly ItemSampler _sampler;
    private readonly SplitMix64 _random;
    private readonly Slice[] _slices;
    private readonly float[] _userGradients;
    private readonly float[] _itemGradients;
    private readonly AdamW<float> _networkOptimizer;
    private readonly AdamW<float> _userOptimizer;
    private readonly AdamW<float> _itemOptimizer;
    private readonly int _rowsPerExample;
    private readonly SliceWorkers? _workers;
    private bool _updating;
    private AdamSettings _updateSettings;
    private readonly bool[] _userTouched;
    private readonly bool[] _itemTouched;
    private readonly List<int> _touchedUsers = [];
    private readonly List<int> _touchedItems = [];

    // How long the slice workers spin for the next batch before they block: longer than the serial work between two
    // batches (the reduction and the updates, tens to hundreds of microseconds), short enough not to hold a core when
    // training stops.
    private static readonly TimeSpan WorkerSpin = TimeSpan.FromMilliseconds(1);

    private NeuralTrainer(NeuralOptions options, NeuralState state, InteractionMatrix seen, int threads)
    {
        _options = options;
        _state = state;
        _seen = seen;
        _random = new SplitMix64(((ulong)(uint)options.Seed << 32) | 0x5EED);
        var popularity = new int[seen.Columns];
        for (int i = 0; i < seen.Columns; i++)
        {
            popularity[i] = seen.ColumnLength(i);
        }

        _sampler = new ItemSampler(seen.Columns, popularity, options.Negatives, options.PopularityExponent);
        _rowsPerExample = options.Loss == NeuralLoss.Bpr ? 2 : 1;
        int examplesPerSlice = (options.BatchSize + threads - 1) / threads;
        _slices = [.. Enumerable.Range(0, threads).Select(_ => new Slice(state, examplesPerSlice * _rowsPerExample))];
        _userTouched = new bool[state.UserCount];
        _itemTouched = new bool[state.ItemCount];
        _userGradients = new float[state.Users.Length];
        _itemGradients = new float[state.Items.Length];
        _networkOptimizer = new AdamW<float>(state.Network.Parameters.Length);
        _userOptimizer = new AdamW<float>(state.Users.Length);
        _itemOptimizer = new AdamW<float>(state.Items.Length);
        _workers = threads > 1 ? new SliceWorkers(threads - 1, RunWorker, WorkerSpin, "RecEngine neural training") : null;
    }

    /// <summary>The state being trained: before any <see cref="Step"/>, the starting state.</summary>
    internal NeuralState State => _state;

    /// <summary>The user embeddings' gradients of the last <see cref="Accumulate"/> (row-major, as <see cref="NeuralState.Users"/>).</summary>
    internal ReadOnlySpan<float> UserGradients => _userGradients;

    /// <summary>The item embeddings' gradients of the last <see cref="Accumulate"/> (row-major, as <see cref="NeuralState.Items"/>).</summary>
    internal ReadOnlySpan<float> ItemGradients => _itemGradients;

    /// <summary>Trains on <paramref name="data"/> and returns the state of the best epoch.</summary>
    public static NeuralState Train(InteractionDataset data, NeuralOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        using NeuralTrainer trainer = Create(data, options, progress, cancellationToken);
        return trainer.Run(progress, cancellationToken);
    }

    /// <summary>A trainer of <paramref name="data"/> from its starting state (ALS is fitted here when the options ask for it).</summary>
    internal static NeuralTrainer Create(InteractionDataset data, NeuralOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        int threads = options.DegreeOfParallelism ?? Environment.ProcessorCount;
        var seen = InteractionMatrix.Build(data, MatrixValues.Weight, DuplicatePolicy.Sum);
        NeuralState state = Initial(data, options, progress, cancellationToken);
        return new NeuralTrainer(options, state, seen, threads);
    }

    public void Dispose() => _workers?.Dispose();

    /// <summary>The starting state: He-initialised network; embeddings from ALS or drawn from N(0, 0.05²).</summary>
    private static NeuralState Initial(InteractionDataset data, NeuralOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        int d = options.EmbeddingSize;
        NeuralFeatures features = NeuralFeatures.Build(data, options);
        var users = new float[checked(data.UserCount * d)];
        var items = new float[checked(data.ItemCount * d)];
        if (options.InitializeFromAls is { } als)
        {
            ImplicitAlsOptions alsOptions = als.Clone();
            alsOptions.Factors = d;
            alsOptions.DegreeOfParallelism ??= options.DegreeOfParallelism;
            var fitted = new ImplicitAlsRecommender(alsOptions);
            fitted.Fit(data, progress, cancellationToken);
            fitted.Trained.UserFactors.CopyTo(users);
            fitted.Trained.ItemFactors.CopyTo(items);
        }
        else
        {
            var random = new SplitMix64(((ulong)(uint)options.Seed << 32) | 0xE3BE);
            for (int e = 0; e < users.Length; e++)
            {
                users[e] = (float)(0.05 * Mlp<float>.Gaussian(random));
            }

            for (int e = 0; e < items.Length; e++)
            {
                items[e] = (float)(0.05 * Mlp<float>.Gaussian(random));
            }
        }

        int[] sizes = [NeuralState.InputWidthOf(d, options.IncludeProduct, features), .. options.HiddenLayers, 1];
        var network = Mlp<float>.Create(sizes, ((ulong)(uint)options.Seed << 32) | 0x4E7);
        return new NeuralState(network, users, items, d, options.IncludeProduct, features);
    }

    private NeuralState Run(IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        // Positives: the pairs whose summed event weight is positive (a dislike is no positive; every touched pair
        // stays out of the negatives). Shuffled once; the first ValidationFraction of them are held out.
        var users = new List<int>(_seen.NonZeroCount);
        var itemsOfPositives = new List<int>(_seen.NonZeroCount);
        var disliked = new List<Example>();
        for (int u = 0; u < _seen.Rows; u++)
        {
            ReadOnlySpan<int> columns = _seen.RowColumns(u);
            ReadOnlySpan<float> weights = _seen.RowValues(u);
            for (int e = 0; e < columns.Length; e++)
            {
                if (weights[e] > 0)
                {
                    users.Add(u);
                    itemsOfPositives.Add(columns[e]);
                }
                else if (weights[e] < 0)
                {
                    disliked.Add(new Example(u, columns[e], 0));
                }
            }
        }

        // A pair with a negative net weight is a known negative: a cross-entropy example labelled 0 every epoch.
        Example[] known = _options.Loss == NeuralLoss.Bpr ? [] : [.. disliked];

        int[] positiveUsers = [.. users];
        int[] positiveItems = [.. itemsOfPositives];

        int[] order = Shuffled(positiveUsers.Length);
        int held = (int)(positiveUsers.Length * _options.ValidationFraction);
        int[] validation = order[..held];
        int[] training = order[held..];
        Example[] validationExamples = Examples(validation, positiveUsers, positiveItems, []);

        double best = double.PositiveInfinity;
        int sinceBest = 0;
        (float[] Network, float[] Users, float[] Items)? bestState = null;
        var settings = new AdamSettings(_options.LearningRate, _options.WeightDecay);
        for (int epoch = 1; epoch <= _options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Example[] examples = Examples(training, positiveUsers, positiveItems, known);
            Shuffle(examples);
            double loss = 0;
            for (int start = 0; start < examples.Length; start += _options.BatchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                loss += Step(examples, start, Math.Min(_options.BatchSize, examples.Length - start), settings);
            }

            loss /= Math.Max(1, examples.Length);
            if (!double.IsFinite(loss))
            {
                throw new InvalidOperationException($"Training diverged in epoch {epoch} (the loss is {loss}); use a lower LearningRate. The previous model, if any, stays in place.");
            }

            progress?.Report(new TrainingProgress("epoch", epoch, _options.Epochs, loss));
            if (validationExamples.Length == 0)
            {
                continue;
            }

            double validationLoss = Evaluate(validationExamples);
            progress?.Report(new TrainingProgress("validation", epoch, _options.Epochs, validationLoss));
            if (validationLoss < best)
            {
                best = validationLoss;
                sinceBest = 0;
                bestState = ((float[])_state.Network.Parameters.Clone(), (float[])_state.Users.Clone(), (float[])_state.Items.Clone());
            }
            else if (++sinceBest >= _options.Patience)
            {
                break;
            }
        }

        if (bestState is { } kept)
        {
            kept.Network.CopyTo(_state.Network.Parameters, 0);
            kept.Users.CopyTo(_state.Users, 0);
            kept.Items.CopyTo(_state.Items, 0);
        }

        return _state;
    }

    /// <summary>
    /// One mini-batch (<paramref name="count"/> examples from <paramref name="start"/>): the gradients of the batch's
    /// mean loss (<see cref="Accumulate"/>), then the updates; returns the summed loss. Reuses every buffer.
    /// </summary>
    internal double Step(Example[] examples, int start, int count, AdamSettings settings)
    {
        double loss = Accumulate(examples, start, count);
        Apply(settings);
        return loss;
    }

    /// <summary>
    /// The gradients of the mean loss of <paramref name="count"/> examples from <paramref name="start"/>: forward and
    /// backward per slice in parallel, then the network's gradients summed slice by slice into its
    /// <see cref="Mlp{T}.Gradients"/> and the embeddings' scattered row by row into <see cref="UserGradients"/> and
    /// <see cref="ItemGradients"/>; returns the summed loss. Must be followed by <see cref="Apply"/>, which clears
    /// what it touched.
    /// </summary>
    internal double Accumulate(Example[] examples, int start, int count)
    {
        RunSlices(examples, start, count, 1f / count, backward: true);
        float[] gradients = _state.Network.Gradients;
        Array.Clear(gradients);
        double loss = 0;
        for (int s = 0; s < _slices.Length; s++)
        {
            Slice slice = _slices[s];
            loss += slice.Loss;
            System.Numerics.Tensors.TensorPrimitives.Add(gradients, slice.Gradients, gradients);
            for (int r = 0; r < slice.Rows; r++)
            {
                (int user, int item) = slice.Pair(r);
                _state.AddEmbeddingGradients(user, item, slice.InputGradient(r), _userGradients, _itemGradients);
                Touch(_userTouched, _touchedUsers, user);
                Touch(_itemTouched, _touchedItems, item);
            }
        }

        return loss;
    }

    /// <summary>
    /// The AdamW updates of the network and of the embedding rows the accumulated batch touched; clears their
    /// gradients. With slice workers, the first updates the item rows while this thread updates the network and the
    /// user rows (disjoint parameters, so the same bits as one after the other).
    /// </summary>
    private void Apply(AdamSettings settings)
    {
        _touchedUsers.Sort();
        _touchedItems.Sort();
        _networkOptimizer.Advance();
        _userOptimizer.Advance();
        _itemOptimizer.Advance();
        if (_workers is null)
        {
            UpdateNetworkAndUsers(settings);
            UpdateItems(settings);
            return;
        }

        _updateSettings = settings;
        _updating = true;
        _workers.Post();
        try
        {
            UpdateNetworkAndUsers(settings);
        }
        finally
        {
            // Even when this half fails: the worker's half ends before anything else runs, and the next round is slices.
            try
            {
                _workers.Join();
            }
            finally
            {
                _updating = false;
            }
        }
    }

    /// <summary>What slice worker <paramref name="number"/> runs in a round: its slice, or in an update round (worker 1) the item rows.</summary>
    private void RunWorker(int number)
    {
        if (!_updating)
        {
            _slices[number].Execute();
        }
        else if (number == 1)
        {
            UpdateItems(_updateSettings);
        }
    }

    private void UpdateNetworkAndUsers(AdamSettings settings)
    {
        _networkOptimizer.Update(_state.Network.Parameters, _state.Network.Gradients, settings);
        ReadOnlySpan<int> users = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_touchedUsers);
        _userOptimizer.StepRows(_state.Users, _userGradients, users, _state.Embedding, settings);
        foreach (int u in users)
        {
            _userGradients.AsSpan(u * _state.Embedding, _state.Embedding).Clear();
            _userTouched[u] = false;
        }

        _touchedUsers.Clear();
    }

    private void UpdateItems(AdamSettings settings)
    {
        ReadOnlySpan<int> items = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_touchedItems);
        _itemOptimizer.StepRows(_state.Items, _itemGradients, items, _state.Embedding, settings);
        foreach (int i in items)
        {
            _itemGradients.AsSpan(i * _state.Embedding, _state.Embedding).Clear();
            _itemTouched[i] = false;
        }

        _touchedItems.Clear();
    }

    private static void Touch(bool[] marks, List<int> touched, int row)
    {
        if (!marks[row])
        {
            marks[row] = true;
            touched.Add(row);
        }
    }

    /// <summary>
    /// Runs each slice's share of <paramref name="count"/> examples from <paramref name="start"/>: the first on this
    /// thread, the others on the slice workers, then waits for all. Allocation-free.
    /// </summary>
    private void RunSlices(Example[] examples, int start, int count, float scale, bool backward)
    {
        int perSlice = (count + _slices.Length - 1) / _slices.Length;
        for (int s = 0; s < _slices.Length; s++)
        {
            int from = Math.Min(count, s * perSlice);
            int to = Math.Min(count, from + perSlice);
            _slices[s].Prepare(_state, examples, start + from, to - from, _options.Loss, scale, backward);
        }

        _workers?.Post();
        _slices[0].Execute();
        _workers?.Join();
        foreach (Slice slice in _slices)
        {
            slice.ThrowIfFailed();
        }
    }

    /// <summary>The mean loss of <paramref name="examples"/> under the current state (no update).</summary>
    private double Evaluate(Example[] examples)
    {
        double total = 0;
        int batch = _options.BatchSize;
        for (int start = 0; start < examples.Length; start += batch)
        {
            RunSlices(examples, start, Math.Min(batch, examples.Length - start), 1f, backward: false);
            foreach (Slice slice in _slices)
            {
                total += slice.Loss;
            }
        }

        return total / Math.Max(1, examples.Length);
    }

    /// <summary>The examples of the given positives with freshly drawn negatives, in positive order, then the known ones.</summary>
    private Example[] Examples(int[] positives, int[] users, int[] items, Example[] known)
    {
        int negatives = _options.NegativesPerPositive;
        bool pairs = _options.Loss == NeuralLoss.Bpr;
        var examples = new Example[(positives.Length * (pairs ? negatives : negatives + 1)) + known.Length];
        int at = 0;
        foreach (int p in positives)
        {
            int user = users[p], item = items[p];
            ReadOnlySpan<int> seen = _seen.RowColumns(user);
            if (!pairs)
            {
                examples[at++] = new Example(user, item, 1);
            }

            for (int n = 0; n < negatives; n++)
            {
                int negative = _sampler.Sample(_random, seen);
                if (negative >= 0)
                {
                    examples[at++] = pairs ? new Example(user, item, negative) : new Example(user, negative, 0);
                }
            }
        }

        known.CopyTo(examples, at);
        at += known.Length;
        return at == examples.Length ? examples : examples[..at];
    }

    private int[] Shuffled(int count)
    {
        int[] order = [.. Enumerable.Range(0, count)];
        Shuffle(order);
        return order;
    }

    private void Shuffle<TItem>(TItem[] values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = _random.Next(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>
    /// One training example: for cross-entropy (user, item, label 0 or 1); for BPR (user, positive item, negative
    /// item) in <see cref="Other"/>.
    /// </summary>
    internal readonly record struct Example(int User, int Item, int Other);

    /// <summary>One thread's share of a batch: its rows, network buffers, gradient buffer and loss.</summary>
    private sealed class Slice
    {
        private NeuralState? _state;
        private Example[] _examples = [];
        private int _start;
        private int _count;
        private NeuralLoss _kind;
        private float _scale;
        private bool _backward;
        private Exception? _error;
        private readonly Mlp<float>.Workspace _workspace;
        private readonly float[] _inputs;
        private readonly float[] _inputGradients;
        private readonly float[] _logits;
        private readonly float[] _logitGradients;
        private readonly (int User, int Item)[] _pairs;
        private readonly int _width;

        public Slice(NeuralState state, int maxRows)
        {
            _width = state.InputWidth;
            _workspace = state.Network.CreateWorkspace(Math.Max(1, maxRows));
            _inputs = new float[Math.Max(1, maxRows) * _width];
            _inputGradients = new float[_inputs.Length];
            _logits = new float[Math.Max(1, maxRows)];
            _logitGradients = new float[_logits.Length];
            _pairs = new (int, int)[Math.Max(1, maxRows)];
            Gradients = new float[state.Network.Parameters.Length];
        }

        public float[] Gradients { get; }

        public double Loss { get; private set; }

        public int Rows { get; private set; }

        public (int User, int Item) Pair(int row) => _pairs[row];

        public ReadOnlySpan<float> InputGradient(int row) => _inputGradients.AsSpan(row * _width, _width);

        /// <summary>Sets the work of the next <see cref="Execute"/>.</summary>
        public void Prepare(NeuralState state, Example[] examples, int start, int count, NeuralLoss kind, float scale, bool backward) =>
            (_state, _examples, _start, _count, _kind, _scale, _backward, _error) = (state, examples, start, count, kind, scale, backward, null);

        /// <summary>Runs the prepared work, keeping what it throws.</summary>
        public void Execute()
        {
            try
            {
                Run(_state!, _examples.AsSpan(_start, _count), _kind, _scale, _backward);
            }
            catch (Exception e)
            {
                // Kept for the waiting thread, which rethrows once every slice has finished with the shared state.
                _error = e;
            }
        }

        /// <summary>Rethrows what a queued run threw.</summary>
        public void ThrowIfFailed()
        {
            if (_error is { } error)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            }
        }

        private void Run(NeuralState state, ReadOnlySpan<Example> examples, NeuralLoss kind, float scale, bool backward)
        {
            bool pairs = kind == NeuralLoss.Bpr;
            Rows = examples.Length * (pairs ? 2 : 1);
            Loss = 0;
            if (Rows == 0)
            {
                Array.Clear(Gradients);
                return;
            }

            for (int e = 0; e < examples.Length; e++)
            {
                Example example = examples[e];
                if (pairs)
                {
                    _pairs[2 * e] = (example.User, example.Item);
                    _pairs[(2 * e) + 1] = (example.User, example.Other);
                }
                else
                {
                    _pairs[e] = (example.User, example.Item);
                }
            }

            for (int r = 0; r < Rows; r++)
            {
                state.WriteInput(_pairs[r].User, _pairs[r].Item, _inputs.AsSpan(r * _width, _width));
            }

            state.Network.Forward(_workspace, _inputs, Rows, _logits);
            double loss = 0;
            for (int e = 0; e < examples.Length; e++)
            {
                if (pairs)
                {
                    loss += Losses.Bpr(_logits[2 * e], _logits[(2 * e) + 1], out float positive, out float negative);
                    _logitGradients[2 * e] = positive * scale;
                    _logitGradients[(2 * e) + 1] = negative * scale;
                }
                else
                {
                    loss += Losses.BinaryCrossEntropy(_logits[e], examples[e].Other, out float gradient);
                    _logitGradients[e] = gradient * scale;
                }
            }

            Loss = loss;
            if (backward)
            {
                Array.Clear(Gradients);
                state.Network.Backward(_workspace, _inputs, Rows, _logitGradients, _inputGradients, Gradients);
            }
        }
    }
}
