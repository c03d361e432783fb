using System.Buffers;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Kernels;

namespace RecEngine.Models.Factorization;

/// <summary>
/// An implicit ALS model that follows its users in real time: each micro-batch of events updates the histories
/// of the users it touches, re-solves their factors exactly (fold-in against the fixed item factors, the same
/// Cholesky solve as <see cref="ImplicitAlsRecommender.FoldInUser"/>) and publishes a new version that
/// <see cref="Recommender"/> serves. New users appear on their first event.
/// </summary>
/// <remarks>
/// <para>
/// <b>Versions</b>: user factors live in <see cref="ChunkedRows"/> and seen items in <see cref="ChunkedLists"/>,
/// both copy-on-write by chunk, so a version costs the chunks the batch wrote; readers take one version per call,
/// never block and never see a half-written factor.
/// </para>
/// <para>
/// <b>Scope of this version</b>: item factors and YᵀY stay those of the fit; events on items the fit did not know
/// are ignored (the item is not a candidate of this model until it is refitted). A user's history sums the values
/// the fit used (<see cref="ImplicitAlsOptions.Values"/>: 1 per event, the event weight or the value); a history
/// value at or below zero is a negative preference with confidence 1 + α|r|.
/// </para>
/// <para>The writer side (<see cref="Apply"/>) is single-threaded, as the ingest pipeline calls it.</para>
/// </remarks>
internal sealed class LiveImplicitAls : IEventApplier
{
    private readonly ImplicitAlsOptions _options;
    private readonly int _k;
    private readonly int _itemCount;
    private readonly float[] _itemFactors;
    private readonly float[] _regularizedGram;
    private readonly IdMap _users;
    private readonly IdMap _items;
    private readonly float[] _popularity;
    private readonly int[] _popularityOrder;
    private readonly ChunkedRows _userFactors;
    private readonly ChunkedLists _seen;
    private readonly List<SortedEntries> _histories;
    private readonly LiveRecommender _recommender;
    private readonly HashSet<int> _dirty = [];
    private readonly int _degreeOfParallelism;

    /// <summary>Starts from the current state of a fitted model.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="fitted"/> has not been fitted.</exception>
    public LiveImplicitAls(ImplicitAlsRecommender fitted)
    {
        ArgumentNullException.ThrowIfNull(fitted);
        ImplicitAlsRecommender.AlsModel model = fitted.Trained;
        FitContext context = model.Context;
        _options = model.Options;
        _k = _options.Factors;
        _degreeOfParallelism = _options.DegreeOfParallelism ?? Environment.ProcessorCount;
        _itemCount = context.ItemCount;
        _itemFactors = model.ItemFactors;
        _regularizedGram = model.RegularizedGram;
        _users = context.Users.Clone();
        _items = context.Items;
        _popularity = context.Popularity;
        _popularityOrder = context.PopularityOrder;
        _userFactors = new ChunkedRows(_k, model.UserFactors[..(context.UserCount * _k)]);
        _seen = new ChunkedLists(context.Seen, context.UserCount);
        _histories = new List<SortedEntries>(context.UserCount);
        InteractionMatrix matrix = model.Matrix;
        for (int user = 0; user < context.UserCount; user++)
        {
            _histories.Add(new SortedEntries(matrix.RowColumns(user), matrix.RowValues(user)));
        }

        _recommender = new LiveRecommender(fitted.Name);
        Publish();
    }

    /// <summary>Serves the latest published version.</summary>
    public IRecommender Recommender => _recommender;

    /// <summary>
    /// Applies a micro-batch: histories first, then one fold-in per user touched (in parallel, on the fit's
    /// <see cref="ImplicitAlsOptions.DegreeOfParallelism"/>), then one new version.
    /// </summary>
    public void Apply(ReadOnlySpan<WeightedEvent> batch)
    {
        foreach (WeightedEvent e in batch)
        {
            if (!_items.TryGetIndex(e.Event.ItemId, out int item) || item >= _itemCount)
            {
                continue;
            }

            int user = _users.GetOrAdd(e.Event.UserId);
            while (_histories.Count <= user)
            {
                _histories.Add(default);
            }

            float value = _options.Values switch
            {
                MatrixValues.One => 1f,
                MatrixValues.Weight => e.Weight,
                _ => e.Event.Value,
            };
            SortedEntries history = _histories[user];
            int at = history.Find(item);
            if (at >= 0)
            {
                history.Set(at, history.Values[at] + value);
            }
            else
            {
                history.Insert(~at, item, value);
            }

            _histories[user] = history;
            _seen.Add(user, item);
            _dirty.Add(user);
        }

        if (_dirty.Count == 0)
        {
            return;
        }

        _userFactors.Grow(_histories.Count);
        int[] users = [.. _dirty];
        _dirty.Clear();

        // Make every touched row writable first (the only step that changes the chunk table); the solves then
        // write distinct rows and can run in parallel.
        foreach (int user in users)
        {
            _userFactors.Writable(user);
        }

        int maxHistory = 0;
        foreach (int user in users)
        {
            maxHistory = Math.Max(maxHistory, _histories[user].Count);
        }

        int scratchLength = ImplicitLeastSquares.ScratchLength(_k, maxHistory);
        Parallel.For(
            0,
            users.Length,
            new ParallelOptions { MaxDegreeOfParallelism = users.Length < 16 ? 1 : _degreeOfParallelism },
            () => ArrayPool<float>.Shared.Rent(scratchLength),
            (u, _, scratch) =>
            {
                SortedEntries history = _histories[users[u]];
                ImplicitLeastSquares.Solve(
                    AlsSolver.Cholesky, 0, _regularizedGram, _itemFactors, _k, history.Indices, history.Values,
                    _options.Alpha, _userFactors.Writable(users[u]), scratch);
                return scratch;
            },
            scratch => ArrayPool<float>.Shared.Return(scratch));
        Publish();
    }

    private void Publish()
    {
        ChunkedRows.Version factors = _userFactors.Publish();
        ChunkedLists.Version seen = _seen.Publish();
        var context = new FitContext(_users, _items, factors.Count, _itemCount, seen, _popularity, _popularityOrder);
        _recommender.Show(new Snapshot(context, factors, _itemFactors, _k));
    }

    /// <summary>One published version: user factors and seen items of that moment, the fit's item factors.</summary>
    private sealed class Snapshot(FitContext context, ChunkedRows.Version users, float[] itemFactors, int k) : TrainedModel(context)
    {
        public override void ScoreAll(int user, Span<float> scores) => Simd.MultiplyRows(itemFactors, users.Row(user), scores);

        public override bool ScoresRanges => true;

        public override void ScoreRange(int user, int start, Span<float> scores) =>
            Simd.MultiplyRows(itemFactors.AsSpan(start * k, scores.Length * k), users.Row(user), scores);

        public override void ScoreItems(int user, ReadOnlySpan<int> items, Span<float> scores) =>
            Simd.MultiplyRows(itemFactors, items, users.Row(user), scores[..items.Length]);
    }
}
