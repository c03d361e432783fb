using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Persistence;

namespace RecEngine.Models.Neighborhood;

/// <summary>
/// Item-kNN or user-kNN that follows events in real time: every event updates the exact
/// <see cref="IncrementalNeighborIndex"/> (pair statistics and neighbour lists, of items or of users) and the user's
/// history, and each micro-batch publishes a version that <see cref="Recommender"/> serves with the top-N scoring of
/// <see cref="ItemKnnRecommender"/> or <see cref="UserKnnRecommender"/>. The lists stay equal to a batch build on
/// all the data, so recommendations equal those of a model fitted on everything seen so far.
/// </summary>
/// <remarks>
/// <para>
/// Supports the measures and options the index maintains: no weighting (TF-IDF and BM25 depend on global counts)
/// and no similarity normalisation. Values follow <see cref="NeighborhoodOptions.Values"/>: 1 or the rating with the
/// latest winning, or summed event weights.
/// </para>
/// <para>
/// A version copies the neighbour lists, O(items · K), and the histories of the users the batch touched. An event
/// costs O(n_u + deg(i)) in the index (see <c>docs/benchmarks.md</c>). The writer side (<see cref="Apply"/>) is
/// single-threaded, as the ingest pipeline calls it.
/// </para>
/// <para>
/// <b>Saved state</b> (<see cref="CaptureState"/>, kinds <see cref="ItemStateKind"/> and <see cref="UserStateKind"/>):
/// the index as contiguous arrays (<see cref="IncrementalNeighborIndex.WriteState"/>), so a restore reads it back
/// instead of accumulating every co-occurrence again. The users' histories, seen items and popularity follow from it
/// and from the interactions.
/// </para>
/// </remarks>
internal sealed class LiveNeighborhood : ILiveModel
{
    private readonly NeighborhoodOptions _options;
    private readonly IncrementalNeighborIndex _index;
    private readonly ChunkedArrays<History> _histories = new();
    private readonly HashSet<int> _touched = [];
    private readonly bool _itemBased;
    private readonly LiveServing _serving;

    /// <summary>The kind (and layout version) of the state <see cref="CaptureState"/> writes for item-kNN.</summary>
    public const string ItemStateKind = "item-knn/1";

    /// <summary>The kind (and layout version) of the state <see cref="CaptureState"/> writes for user-kNN.</summary>
    public const string UserStateKind = "user-knn/1";

    /// <summary>Starts from <paramref name="dataset"/>, with the lists a fit with <paramref name="options"/> would build.</summary>
    /// <param name="dataset">The interactions to start from.</param>
    /// <param name="itemBased">Item neighbours (item-kNN), or user neighbours (user-kNN).</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="NotSupportedException">The options ask for a weighting or for normalised similarities.</exception>
    public LiveNeighborhood(InteractionDataset dataset, bool itemBased, NeighborhoodOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        _itemBased = itemBased;
        _options = options ?? new NeighborhoodOptions();
        _options.Validate();
        EnsureSupported(_options);

        var matrix = InteractionMatrix.Build(dataset, _options.Values, Policy);
        (SparseRows rows, SparseRows columns) = itemBased ? (matrix.ByItem, matrix.ByUser) : (matrix.ByUser, matrix.ByItem);
        _index = IncrementalNeighborIndex.Build(rows, columns, _options.Measure, _options.Shrinkage, _options.Neighbors, slack: _options.Neighbors);
        _serving = new LiveServing(NameOf(itemBased), FitContext.Create(dataset));
        Start(dataset.UserCount);
    }

    private LiveNeighborhood(InteractionDataset history, bool itemBased, NeighborhoodOptions options, IncrementalNeighborIndex index)
    {
        _itemBased = itemBased;
        _options = options;
        _index = index;
        _serving = new LiveServing(NameOf(itemBased), FitContext.Create(history));
        Start(history.UserCount);
    }

    /// <summary>Serves the latest published version.</summary>
    public IRecommender Recommender => _serving.Recommender;

    /// <summary>
    /// Restores a model from <paramref name="history"/> (every interaction it had applied) and the state
    /// <see cref="CaptureState"/> wrote: the same index, so it serves and follows events as the saved one. Returns
    /// null when the state does not fit <paramref name="options"/> (another measure, shrinkage, K or values), holds
    /// more rows than the history, or is malformed: the caller then builds the index from the history.
    /// </summary>
    public static LiveNeighborhood? TryRestore(InteractionDataset history, bool itemBased, NeighborhoodOptions options, byte[] state)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(state);
        try
        {
            using var input = new MemoryStream(state, writable: false);
            using var reader = new StateReader(input, state.Length, "The saved neighbourhood state");
            if (reader.ReadInt32() != (int)options.Values)
            {
                return null;
            }

            (int rows, int columns) = itemBased ? (history.ItemCount, history.UserCount) : (history.UserCount, history.ItemCount);
            IncrementalNeighborIndex? index = IncrementalNeighborIndex.ReadState(reader, options.Measure, options.Shrinkage, options.Neighbors, options.Neighbors, rows, columns);
            if (index is null)
            {
                return null;
            }

            reader.CheckEnd();
            return new LiveNeighborhood(history, itemBased, options, index);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or ArgumentException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>
    /// The index (layout: i32 <see cref="NeighborhoodOptions.Values"/>, then <see cref="IncrementalNeighborIndex.WriteState"/>),
    /// or <see langword="null"/> when it would not fit one array (over 2 GB): a restore then builds it from the
    /// interactions. Called between micro-batches.
    /// </summary>
    public SavedState? CaptureState()
    {
        long length = sizeof(int) + _index.StateLength();
        if (length > Array.MaxLength)
        {
            return null;
        }

        var bytes = new byte[length];
        using (var buffer = new MemoryStream(bytes))
        using (var writer = new StateWriter(buffer))
        {
            writer.Write((int)_options.Values);
            _index.WriteState(writer);
            writer.Flush();
            if (buffer.Position != length)
            {
                throw new InvalidOperationException($"The neighbourhood state took {buffer.Position} bytes where {length} were counted.");
            }
        }

        return new SavedState(_itemBased ? ItemStateKind : UserStateKind, bytes);
    }

    /// <summary>Refuses options the index cannot follow: weightings and normalisation depend on global counts it does not keep.</summary>
    /// <exception cref="NotSupportedException">The options ask for a weighting or for normalised similarities.</exception>
    public static void EnsureSupported(NeighborhoodOptions options)
    {
        if (options.Weighting != NeighborWeighting.None || options.NormalizeSimilarities)
        {
            throw new NotSupportedException(
                $"Real-time neighbourhood models keep unweighted, unnormalised similarities only (Weighting = {options.Weighting}, NormalizeSimilarities = {options.NormalizeSimilarities}).");
        }
    }

    private static string NameOf(bool itemBased) => itemBased ? "item-knn" : "user-knn";

    /// <summary>Every user's history from the index (the columns of item-kNN, the rows of user-kNN), then the first version.</summary>
    private void Start(int users)
    {
        for (int user = 0; user < users; user++)
        {
            _histories.Set(user, _itemBased
                ? new History(_index.ColumnIndices(user).ToArray(), _index.ColumnValues(user).ToArray())
                : new History(_index.RowIndices(user).ToArray(), _index.RowValues(user).ToArray()));
        }

        Publish();
    }

    private DuplicatePolicy Policy => _options.Values == MatrixValues.Weight ? DuplicatePolicy.Sum : DuplicatePolicy.LastWins;

    /// <summary>Applies the batch to the index and the histories, then publishes one version.</summary>
    public void Apply(ReadOnlySpan<WeightedEvent> batch)
    {
        foreach (WeightedEvent e in batch)
        {
            int user = _serving.Users.GetOrAdd(e.Event.UserId);
            int item = _serving.Items.GetOrAdd(e.Event.ItemId);
            float value = e.ValueFor(_options.Values);
            if (_itemBased)
            {
                _index.Apply(item, user, value, Policy);
            }
            else
            {
                _index.Apply(user, item, value, Policy);
            }

            _serving.Observe(user, item);
            _touched.Add(user);
        }

        foreach (int user in _touched)
        {
            _histories.Set(user, _itemBased
                ? new History(_index.ColumnIndices(user).ToArray(), _index.ColumnValues(user).ToArray())
                : new History(_index.RowIndices(user).ToArray(), _index.RowValues(user).ToArray()));
        }

        _touched.Clear();
        Publish();
    }

    private void Publish()
    {
        NeighborGraph graph = _index.Snapshot();
        ChunkedArrays<History>.Version histories = _histories.Publish();
        _serving.Show(
            histories.Count,
            _serving.Items.Count,
            context => _itemBased ? new ItemSnapshot(context, graph, histories) : new UserSnapshot(context, graph, histories));
    }

    /// <summary>A user's items and values at one moment; never changed once made.</summary>
    private sealed record History(int[] Items, float[] Values);

    /// <summary>Item-kNN scoring, as <see cref="ItemKnnRecommender"/>: Σ over the user's items of weight · sim.</summary>
    private sealed class ItemSnapshot(FitContext context, NeighborGraph graph, ChunkedArrays<History>.Version histories) : TrainedModel(context)
    {
        /// <summary>As <see cref="ItemKnnRecommender"/>: personal only when some item of the user has neighbours.</summary>
        public override bool CanPersonalize(int user)
        {
            if (histories[user] is { } history)
            {
                foreach (int item in history.Items)
                {
                    if (!graph.NeighborsOf(item).IsEmpty)
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        public override void ScoreAll(int user, Span<float> scores)
        {
            scores.Clear();
            if (histories[user] is not { } history)
            {
                return;
            }

            for (int e = 0; e < history.Items.Length; e++)
            {
                float weight = history.Values[e];
                ReadOnlySpan<int> neighbors = graph.NeighborsOf(history.Items[e]);
                ReadOnlySpan<float> similarities = graph.SimilaritiesOf(history.Items[e]);
                for (int n = 0; n < neighbors.Length; n++)
                {
                    scores[neighbors[n]] += weight * similarities[n];
                }
            }
        }

        public override bool TrySimilarTo(int item, Span<float> scores) => graph.TryFill(item, scores);
    }

    /// <summary>User-kNN scoring, as <see cref="UserKnnRecommender"/>: Σ over the user's neighbours of sim · their weights.</summary>
    private sealed class UserSnapshot(FitContext context, NeighborGraph graph, ChunkedArrays<History>.Version histories) : TrainedModel(context)
    {
        public override bool CanPersonalize(int user) => user < graph.Count && !graph.NeighborsOf(user).IsEmpty;

        public override void ScoreAll(int user, Span<float> scores)
        {
            scores.Clear();
            if (user >= graph.Count)
            {
                return;
            }

            ReadOnlySpan<int> neighbors = graph.NeighborsOf(user);
            ReadOnlySpan<float> similarities = graph.SimilaritiesOf(user);
            for (int n = 0; n < neighbors.Length; n++)
            {
                if (histories[neighbors[n]] is not { } history)
                {
                    continue;
                }

                for (int e = 0; e < history.Items.Length; e++)
                {
                    scores[history.Items[e]] += similarities[n] * history.Values[e];
                }
            }
        }
    }
}
