using System.Buffers;
using RecEngine.Data;
using RecEngine.Kernels;

namespace RecEngine;

/// <summary>
/// The shared implementation of <see cref="IRecommender"/> for RecEngine's models: argument checks, id mapping,
/// exclusion of seen items, filters applied during top-N selection, deterministic ties, and the popularity
/// fallback for unknown users and items. Models supply only their scoring.
/// </summary>
/// <remarks>
/// Thread safety: the trained state is one immutable object swapped atomically by <see cref="Fit"/>, so any
/// number of threads may recommend while another thread fits. Per-call scratch buffers come from
/// <see cref="ArrayPool{T}.Shared"/>, so the span overloads allocate nothing after warm-up.
/// </remarks>
public abstract class RecommenderBase : IRecommender
{
    /// <summary>Items scored per block by <see cref="RecommendPersonal"/>: 1 KB of scores, well inside L1.</summary>
    private const int ScoreBlock = 256;

    /// <summary>
    /// Screened selection (<see cref="ScreenedTopN"/>) is used when the catalog has at least this many items per
    /// requested one; for long lists most items would be re-scored anyway.
    /// </summary>
    private const int ScreenRatio = 8;

    private TrainedModel? _model;

    private protected RecommenderBase()
    {
    }

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public bool IsFitted => Volatile.Read(ref _model) is not null;

    private protected TrainedModel Current =>
        Volatile.Read(ref _model) ?? throw new InvalidOperationException($"The '{Name}' recommender must be fitted before it is used.");

    /// <inheritdoc/>
    public void Fit(InteractionDataset dataset, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        cancellationToken.ThrowIfCancellationRequested();
        var context = FitContext.Create(dataset);
        TrainedModel model = Train(dataset, context, progress, cancellationToken);
        Volatile.Write(ref _model, model);
    }

    /// <summary>Makes <paramref name="model"/> the state every later call reads, with one atomic write (live models publish their versions this way).</summary>
    private protected void Publish(TrainedModel model) => Volatile.Write(ref _model, model);

    /// <summary>The trained state, or <see langword="null"/> before the first fit.</summary>
    internal TrainedModel? TrainedOrNull => Volatile.Read(ref _model);

    /// <summary>
    /// The kind under which <see cref="Persistence.ModelFile"/> saves this recommender (one per model class), or
    /// <see langword="null"/> when it cannot be saved on its own.
    /// </summary>
    internal virtual string? StateKind => null;

    /// <summary>Writes the options and <paramref name="model"/>'s state (the fit context is written already).</summary>
    internal virtual void WriteState(Persistence.StateWriter writer, TrainedModel model) =>
        throw new NotSupportedException($"The '{Name}' recommender cannot be saved.");

    /// <summary>
    /// The parts a composite saves with <paramref name="model"/> (each with the state the composite uses), for the
    /// check that all of them can be saved; none for a model of its own.
    /// </summary>
    internal virtual IEnumerable<(RecommenderBase Part, TrainedModel State)> SavedParts(TrainedModel model) => [];

    /// <summary>Makes a loaded state the current one.</summary>
    internal void Restore(TrainedModel model) => Publish(model);

    /// <summary>Trains on <paramref name="dataset"/> and returns the new immutable state.</summary>
    private protected abstract TrainedModel Train(InteractionDataset dataset, FitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public bool IsKnownUser(string userId)
    {
        ArgumentNullException.ThrowIfNull(userId);
        TrainedModel model = Current;
        int user = model.Context.TrainedUserIndex(userId);
        return user >= 0 && model.CanPersonalize(user);
    }

    /// <inheritdoc/>
    public int Recommend(string userId, Span<ScoredItem> destination, RecommendOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(userId);
        if (destination.IsEmpty)
        {
            throw new ArgumentException("The destination must have room for at least one item.", nameof(destination));
        }

        options ??= RecommendOptions.Default;
        TrainedModel model = Current;
        FitContext context = model.Context;
        int user = context.TrainedUserIndex(userId);
        if (user < 0)
        {
            return Popular(model, destination, options, excludedItem: -1);
        }

        if (!model.CanPersonalize(user))
        {
            // A known user the model cannot personalise for still does not get what they have already seen.
            return Popular(model, destination, options, excludedItem: -1, options.ExcludeSeen ? context.Seen.RowColumns(user) : default);
        }

        return RecommendPersonal(model, user, destination, options);
    }

    /// <summary>
    /// Top-N for a known user, into pooled heap buffers: through the model's <see cref="ScoreScreen"/> when it has
    /// one and the list is short (<see cref="ScreenedTopN"/>), else by scoring blocks (<see cref="SelectByBlocks"/>).
    /// </summary>
    private static int RecommendPersonal(TrainedModel model, int user, Span<ScoredItem> destination, RecommendOptions options)
    {
        FitContext context = model.Context;
        int n = context.ItemCount;
        int k = Math.Min(destination.Length, n);
        ReadOnlySpan<int> seen = options.ExcludeSeen ? context.Seen.RowColumns(user) : default;
        int[] indexBuffer = ArrayPool<int>.Shared.Rent(k);
        float[] scoreBuffer = ArrayPool<float>.Shared.Rent(k);
        try
        {
            Span<int> topIndices = indexBuffer.AsSpan(0, k);
            Span<float> topScores = scoreBuffer.AsSpan(0, k);
            var filter = new CandidateFilter(context.Items, options);
            int count = model.Screen is { } screen && (long)k * ScreenRatio <= n && screen.Scale(user) is var scale && !float.IsNaN(scale)
                ? ScreenedTopN.Select(model, screen, scale, user, seen, topIndices, topScores, ref filter)
                : SelectByBlocks(model, user, seen, topIndices, topScores, ref filter);
            return WriteTop(context, topIndices, topScores, count, destination);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(indexBuffer);
            ArrayPool<float>.Shared.Return(scoreBuffer);
        }
    }

    /// <summary>
    /// Exact top-k by blocks. Models that score item ranges are scored <see cref="ScoreBlock"/> items at a time into
    /// a small buffer that stays in L1; others score the whole catalog as one block. Each block's seen items
    /// (ascending in the seen matrix) are marked ineligible and the block is offered to the top-k heap, which gives
    /// the same result as selecting over the whole score vector.
    /// </summary>
    /// <returns>The number selected, best first in the heap spans.</returns>
    private static int SelectByBlocks(TrainedModel model, int user, ReadOnlySpan<int> seen, Span<int> topIndices, Span<float> topScores, ref CandidateFilter filter)
    {
        int n = model.Context.ItemCount;
        int blockLength = model.ScoresRanges ? Math.Min(ScoreBlock, n) : n;
        float[] blockBuffer = ArrayPool<float>.Shared.Rent(blockLength);
        try
        {
            int size = 0;
            int next = 0;
            for (int start = 0; start < n; start += blockLength)
            {
                Span<float> scores = blockBuffer.AsSpan(0, Math.Min(blockLength, n - start));
                if (blockLength == n)
                {
                    model.ScoreAll(user, scores);
                }
                else
                {
                    model.ScoreRange(user, start, scores);
                }

                int end = start + scores.Length;
                for (; next < seen.Length && seen[next] < end; next++)
                {
                    scores[seen[next] - start] = float.NaN;
                }

                TopK.Add(scores, start, topIndices, topScores, ref size, ref filter);
            }

            return TopK.Complete(topIndices, topScores, size);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(blockBuffer);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<ScoredItem> Recommend(string userId, int count, RecommendOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(userId);
        int capacity = Math.Min(count, Current.Context.ItemCount);
        if (capacity == 0)
        {
            return [];
        }

        var result = new ScoredItem[capacity];
        int written = Recommend(userId, result, options);
        return written == capacity ? result : result[..written];
    }

    /// <inheritdoc/>
    public void Score(string userId, ReadOnlySpan<string> itemIds, Span<float> scores)
    {
        ArgumentNullException.ThrowIfNull(userId);
        if (scores.Length < itemIds.Length)
        {
            throw new ArgumentException($"The score destination has length {scores.Length} but {itemIds.Length} items were given.", nameof(scores));
        }

        TrainedModel model = Current;
        FitContext context = model.Context;
        int user = context.TrainedUserIndex(userId);
        bool personal = user >= 0 && model.CanPersonalize(user);
        int n = itemIds.Length;
        if (context.ItemCount == 0)
        {
            scores[..n].Fill(float.NegativeInfinity);
            return;
        }

        int[] indexBuffer = ArrayPool<int>.Shared.Rent(n);
        int[] knownBuffer = ArrayPool<int>.Shared.Rent(n);
        try
        {
            // Unknown items are scored as item 0 and overwritten afterwards, so the model sees valid indices only.
            Span<int> indices = indexBuffer.AsSpan(0, n);
            Span<int> known = knownBuffer.AsSpan(0, n);
            for (int i = 0; i < n; i++)
            {
                ArgumentNullException.ThrowIfNull(itemIds[i], nameof(itemIds));
                indices[i] = context.TrainedItemIndex(itemIds[i]);
                known[i] = Math.Max(indices[i], 0);
            }

            Span<float> destination = scores[..n];
            if (personal)
            {
                model.ScoreItems(user, known, destination);
            }
            else
            {
                float[] fallback = model.FallbackScores;
                for (int i = 0; i < n; i++)
                {
                    destination[i] = fallback[known[i]];
                }
            }

            for (int i = 0; i < n; i++)
            {
                if (indices[i] < 0)
                {
                    destination[i] = float.NegativeInfinity;
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(indexBuffer);
            ArrayPool<int>.Shared.Return(knownBuffer);
        }
    }

    /// <inheritdoc/>
    public int SimilarItems(string itemId, Span<ScoredItem> destination, RecommendOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        if (destination.IsEmpty)
        {
            throw new ArgumentException("The destination must have room for at least one item.", nameof(destination));
        }

        options ??= RecommendOptions.Default;
        TrainedModel model = Current;
        FitContext context = model.Context;
        int item = context.TrainedItemIndex(itemId);
        if (item < 0)
        {
            return Popular(model, destination, options, excludedItem: -1);
        }

        float[] buffer = ArrayPool<float>.Shared.Rent(context.ItemCount);
        try
        {
            Span<float> scores = buffer.AsSpan(0, context.ItemCount);
            if (!model.TrySimilarTo(item, scores))
            {
                return Popular(model, destination, options, excludedItem: item);
            }

            var filter = new CandidateFilter(context.Items, options, excludedIndex: item);
            return SelectInto(context, scores, destination, ref filter);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<ScoredItem> SimilarItems(string itemId, int count, RecommendOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(itemId);
        int capacity = Math.Min(count, Current.Context.ItemCount);
        if (capacity == 0)
        {
            return [];
        }

        var result = new ScoredItem[capacity];
        int written = SimilarItems(itemId, result, options);
        return written == capacity ? result : result[..written];
    }

    /// <summary>
    /// The best items of a score vector over the whole catalog (NaN = ineligible), after the filters of
    /// <paramref name="options"/>, into <paramref name="destination"/>: for models that rank items against something
    /// other than a known user or item.
    /// </summary>
    private protected static int SelectScores(TrainedModel model, ReadOnlySpan<float> scores, Span<ScoredItem> destination, RecommendOptions options)
    {
        var filter = new CandidateFilter(model.Context.Items, options, excludedIndex: -1);
        return SelectInto(model.Context, scores, destination, ref filter);
    }

    private static int SelectInto(FitContext context, ReadOnlySpan<float> scores, Span<ScoredItem> destination, ref CandidateFilter filter)
    {
        int k = Math.Min(destination.Length, context.ItemCount);
        int[] indexBuffer = ArrayPool<int>.Shared.Rent(k);
        float[] scoreBuffer = ArrayPool<float>.Shared.Rent(k);
        try
        {
            Span<int> topIndices = indexBuffer.AsSpan(0, k);
            Span<float> topScores = scoreBuffer.AsSpan(0, k);
            return WriteTop(context, topIndices, topScores, TopK.Select(scores, topIndices, topScores, ref filter), destination);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(indexBuffer);
            ArrayPool<float>.Shared.Return(scoreBuffer);
        }
    }

    /// <summary>Writes the first <paramref name="count"/> selected items, with their ids, into <paramref name="destination"/>.</summary>
    private static int WriteTop(FitContext context, ReadOnlySpan<int> topIndices, ReadOnlySpan<float> topScores, int count, Span<ScoredItem> destination)
    {
        for (int i = 0; i < count; i++)
        {
            destination[i] = new ScoredItem(context.Items.GetId(topIndices[i]), topScores[i]);
        }

        return count;
    }

    /// <summary>The fallback: the model's non-personal ranking (by default training popularity), after filters.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="destination">Receives the items, best first.</param>
    /// <param name="options">Filters and exclusions.</param>
    /// <param name="excludedItem">An item index never returned (the query item), or −1.</param>
    /// <param name="seen">Item indices the user has seen, ascending, left out too; empty for none.</param>
    private protected static int Popular(TrainedModel model, Span<ScoredItem> destination, RecommendOptions options, int excludedItem, ReadOnlySpan<int> seen = default)
    {
        FitContext context = model.Context;
        float[] scores = model.FallbackScores;
        var filter = new CandidateFilter(context.Items, options, excludedItem);
        int written = 0;
        foreach (int item in model.FallbackOrder)
        {
            if (written == destination.Length)
            {
                break;
            }

            if (filter.Accept(item) && (seen.IsEmpty || seen.BinarySearch(item) < 0))
            {
                destination[written++] = new ScoredItem(context.Items.GetId(item), scores[item]);
            }
        }

        return written;
    }
}
