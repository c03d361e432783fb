using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Kernels;
using RecEngine.Persistence;

namespace RecEngine.Models.Factorization;

/// <summary>
/// An implicit ALS model that follows events in real time: each micro-batch updates the histories it touches,
/// re-solves the touched users exactly (fold-in against the current item factors, the Cholesky solve of
/// <see cref="ImplicitAlsRecommender.FoldInUser"/>), then the touched items under the
/// <see cref="LiveAlsOptions.ItemUpdates"/> policy (against the new user factors), and publishes a version that
/// <see cref="Recommender"/> serves. New users and new items appear on their first event.
/// </summary>
/// <remarks>
/// <para>
/// <b>Versions</b>: user and item factors live in <see cref="ChunkedRows"/> and seen items in
/// <see cref="ChunkedLists"/>, copy-on-write by chunk, so a version costs the chunks the batch wrote; readers take
/// one version per call, never block and never see a half-written factor.
/// </para>
/// <para>
/// <b>Gram matrices</b>: every solve needs XᵀX or YᵀY of the other side. Both are kept in double precision and
/// corrected by <c>x_new x_newᵀ − x_old x_oldᵀ</c> whenever a row changes, O(k²) per row, and recomputed exactly
/// when it is next used after <see cref="LiveAlsOptions.GramRefreshUpdates"/> of its rows changed (so with items
/// never updated, neither is ever recomputed: YᵀY does not change and XᵀX is not used). <see cref="GramDrift"/> measures the
/// difference from an exact recomputation (a test bounds it).
/// </para>
/// <para>
/// A history sums the values the fit used (<see cref="ImplicitAlsOptions.Values"/>: 1 per event, the event weight or
/// the value); a history value at or below zero is a negative preference with confidence 1 + α|r|.
/// <c>SimilarItems</c> falls back to popularity, which counts every event. The writer side (<see cref="Apply"/>) is single-threaded, as the
/// ingest pipeline calls it.
/// </para>
/// </remarks>
internal sealed class LiveImplicitAls : ILiveModel
{
    private readonly ImplicitAlsOptions _options;
    private readonly LiveAlsOptions _live;
    private readonly int _k;
    private readonly int _degreeOfParallelism;
    private readonly Side _userSide;
    private readonly Side _itemSide;
    private readonly LiveServing _serving;
    private readonly ConfidenceCache? _cache;
    private int _eventsSinceItemUpdate;

    /// <summary>The kind (and layout version) of the state <see cref="CaptureState"/> writes.</summary>
    public const string StateKind = "implicit-als/2";

    /// <summary>Starts from the current state of a fitted model.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="fitted"/> has not been fitted.</exception>
    public LiveImplicitAls(ImplicitAlsRecommender fitted, LiveAlsOptions? options = null)
        : this(Parts(fitted), options)
    {
    }

    private LiveImplicitAls((string Name, FitContext Context, ImplicitAlsOptions Options, InteractionMatrix Matrix, float[] Users, float[] Items) start, LiveAlsOptions? options)
    {
        _live = options ?? new LiveAlsOptions();
        _live.Validate();
        _options = start.Options;
        _k = _options.Factors;
        _degreeOfParallelism = _options.DegreeOfParallelism ?? Environment.ProcessorCount;
        // Chunks of about 1 KB of user factors (a user row is read alone) and 4 KB of item factors (scored in runs):
        // a micro-batch copies the chunks it touches, so small chunks keep small batches cheap. With many rows the
        // chunks grow so that the table a publish copies stays within about 4,096 references.
        _userSide = new Side(_k, start.Users, start.Matrix.ByUser, RowsPerChunk(_k, 1024, start.Users.Length / _k));
        _itemSide = new Side(_k, start.Items, start.Matrix.ByItem, RowsPerChunk(_k, 4096, start.Items.Length / _k));
        _serving = new LiveServing(start.Name, start.Context);
        if (_live.ConfidenceCacheMegabytes > 0 && _live.ItemUpdates != ItemUpdatePolicy.EveryBatch)
        {
            _cache = new ConfidenceCache(_k, _live.ConfidenceCacheMegabytes * (1L << 20));
        }

        Publish();
    }

    /// <summary>
    /// Restores a model from <paramref name="history"/> (every interaction it had applied) and the state
    /// <see cref="CaptureState"/> wrote: the same factors, Gram matrices, pending item updates and counters, so it goes
    /// on as the captured model would have (to float rounding: cached confidence terms are rebuilt, not saved). Returns null when the state does not fit (another number of
    /// factors, more rows than the history has, a NaN or infinite factor or Gram entry, or a malformed state): the
    /// caller then trains afresh.
    /// </summary>
    public static LiveImplicitAls? TryRestore(InteractionDataset history, ImplicitAlsOptions options, LiveAlsOptions? live, ReadOnlySpan<byte> state)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(options);
        if (State.Decode(state) is not { } saved || saved.K != options.Factors
            || saved.Users.Length / saved.K > history.UserCount || saved.Items.Length / saved.K > history.ItemCount
            || saved.Dirty.Any(item => (uint)item >= (uint)(saved.Items.Length / saved.K))
            || !AllFinite(saved.Users) || !AllFinite(saved.Items) || !AllFinite(saved.UserGram) || !AllFinite(saved.ItemGram))
        {
            return null;
        }

        var matrix = InteractionMatrix.Build(history, options.Values, DuplicatePolicy.Sum);
        var context = FitContext.Create(history, matrix);
        var restored = new LiveImplicitAls(("als", context, options, matrix, saved.Users, saved.Items), live);
        restored._userSide.LoadGram(saved.UserGram);
        restored._itemSide.LoadGram(saved.ItemGram);
        restored._itemSide.Dirty.UnionWith(saved.Dirty);
        restored._eventsSinceItemUpdate = saved.EventsSinceItemUpdate;
        restored._userSide.ChangesSinceRefresh = saved.UserChanges;
        restored._itemSide.ChangesSinceRefresh = saved.ItemChanges;
        return restored;
    }

    /// <summary>Whether no factor is NaN or infinite: one that is would make every score it touches NaN.</summary>
    private static bool AllFinite(float[] values) => Array.TrueForAll(values, float.IsFinite);

    /// <summary>Whether no Gram entry is NaN or infinite: one that is would spread NaN through every solve.</summary>
    private static bool AllFinite(double[] values) => Array.TrueForAll(values, double.IsFinite);

    /// <summary>
    /// What the history does not determine: the factors (as published, which is the current state between batches),
    /// the maintained Gram matrices, the items still waiting for an update, and the counters of the update schedules.
    /// </summary>
    public SavedState CaptureState()
    {
        ChunkedRows.Version users = _userSide.Factors.Published;
        ChunkedRows.Version items = _itemSide.Factors.Published;
        var state = new State(
            _k, Rows(users), Rows(items), _userSide.GramValues.ToArray(), _itemSide.GramValues.ToArray(), [.. _itemSide.Dirty],
            _eventsSinceItemUpdate, _userSide.ChangesSinceRefresh, _itemSide.ChangesSinceRefresh);
        return new SavedState(StateKind, state.Encode());

        float[] Rows(ChunkedRows.Version version)
        {
            var rows = new float[version.Count * _k];
            for (int row = 0; row < version.Count; row++)
            {
                version.Row(row).CopyTo(rows.AsSpan(row * _k));
            }

            return rows;
        }
    }

    /// <summary>Serves the latest published version.</summary>
    public IRecommender Recommender => _serving.Recommender;

    /// <summary>
    /// The largest absolute difference between the maintained XᵀX or YᵀY and an exact recomputation from the current
    /// factors, relative to the largest entry of the exact one.
    /// </summary>
    public double GramDrift() => Math.Max(_userSide.Drift(), _itemSide.Drift());

    /// <summary>Applies a micro-batch: histories, then the touched users, then (by policy) the touched items, then one version.</summary>
    public void Apply(ReadOnlySpan<WeightedEvent> batch)
    {
        foreach (WeightedEvent e in batch)
        {
            int user = _serving.Users.GetOrAdd(e.Event.UserId);
            int item = _serving.Items.GetOrAdd(e.Event.ItemId);
            float value = e.ValueFor(_options.Values);
            float old = _userSide.Add(user, item, value);
            if (_live.ItemUpdates != ItemUpdatePolicy.Never)
            {
                // Item histories serve item solves only: under Never, keeping them would be a sorted insert per event
                // into a popular item's long history for nothing.
                _itemSide.Add(item, user, value);
            }

            if (_cache?.Find(user) is { } terms && item < _itemSide.Factors.Count)
            {
                // The user's confidence term of this item moves from α|old| to α|old + value|: one rank-one change.
                double delta = _options.Alpha * ((double)Math.Abs(old + value) - Math.Abs(old));
                AddOuterProduct(terms, _itemSide.Factors.Current(item), delta);
            }

            _serving.Observe(user, item);
        }

        _eventsSinceItemUpdate += batch.Length;
        if (batch.IsEmpty)
        {
            return;
        }

        _userSide.Factors.Grow(_serving.Users.Count);
        _itemSide.Factors.Grow(_serving.Items.Count);
        Solve(_userSide, _itemSide, _cache);
        bool updateItems = _live.ItemUpdates switch
        {
            ItemUpdatePolicy.EveryBatch => true,
            ItemUpdatePolicy.EveryNEvents => _eventsSinceItemUpdate >= _live.ItemUpdateEvents,
            _ => false,
        };
        if (updateItems)
        {
            // New item factors make every cached user's terms stale.
            _cache?.Clear();
            Solve(_itemSide, _userSide);
            _eventsSinceItemUpdate = 0;
        }

        Publish();
    }

    /// <summary>Adds <paramref name="weight"/> · y yᵀ to the upper triangle of <paramref name="terms"/>, in double precision.</summary>
    private void AddOuterProduct(double[] terms, ReadOnlySpan<float> y, double weight)
    {
        Span<double> wide = stackalloc double[_k];
        TensorPrimitives.ConvertChecked(y, wide);

        for (int i = 0; i < _k; i++)
        {
            Span<double> row = terms.AsSpan((i * _k) + i, _k - i);
            TensorPrimitives.MultiplyAdd(wide[i..], weight * wide[i], row, row);
        }
    }

    /// <summary>
    /// Rows per chunk: the largest power of two of rows of <paramref name="k"/> floats within <paramref name="bytes"/>
    /// (at least 1), or more when <paramref name="rows"/> would otherwise need a table of over 4,096 chunks.
    /// </summary>
    private static int RowsPerChunk(int k, int bytes, int rows)
    {
        uint bySize = Math.Max(1, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, bytes / (k * sizeof(float))) + 1) / 2);
        uint byTable = System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, (rows + 4_095) / 4_096));
        return (int)Math.Min(1u << 16, Math.Max(bySize, byTable));
    }

    private static (string, FitContext, ImplicitAlsOptions, InteractionMatrix, float[], float[]) Parts(ImplicitAlsRecommender fitted)
    {
        ArgumentNullException.ThrowIfNull(fitted);
        ImplicitAlsRecommender.AlsModel model = fitted.Trained;
        FitContext context = model.Context;
        return (fitted.Name, context, model.Options, model.Matrix, model.UserFactors[..(context.UserCount * model.Options.Factors)].ToArray(),
            model.ItemFactors[..(context.ItemCount * model.Options.Factors)]);
    }

    /// <summary>
    /// Re-solves every dirty row of <paramref name="side"/> against <paramref name="other"/>, first recomputing the
    /// other side's Gram matrix exactly when <see cref="LiveAlsOptions.GramRefreshUpdates"/> of its rows changed since
    /// its last refresh. A Gram matrix is refreshed only when it is about to be used, so a side whose Gram matrix no
    /// solve needs (the users' when items are never updated) never pays for a refresh. With a
    /// <paramref name="cache"/> (user solves while items stay fixed), a cached user's confidence terms are taken as
    /// they are and an uncached one's are built into the cache.
    /// </summary>
    private void Solve(Side side, Side other, ConfidenceCache? cache = null)
    {
        int[] rows = [.. side.Dirty];
        side.Dirty.Clear();
        if (rows.Length == 0)
        {
            return;
        }

        if (other.ChangesSinceRefresh >= _live.GramRefreshUpdates)
        {
            other.RefreshGram();
        }

        // Old rows for the Gram correction, and every touched chunk made writable before the parallel solves.
        var old = new float[rows.Length * _k];
        int longest = 0;
        for (int r = 0; r < rows.Length; r++)
        {
            side.Factors.Current(rows[r]).CopyTo(old.AsSpan(r * _k, _k));
            side.Factors.Writable(rows[r]);
            longest = Math.Max(longest, side.Histories[rows[r]].Count);
        }

        double[]?[] terms = new double[]?[rows.Length];
        bool[] build = new bool[rows.Length];
        float[] gram = other.RegularizedGram(_options.Regularization);
        int scratchLength = ImplicitLeastSquares.ScratchLength(_k, longest) + (longest * _k) + longest;
        try
        {
            // Terms arrays are taken from the cache here, on this thread; the parallel solves fill or read them.
            if (cache is not null && rows.Length <= cache.Capacity)
            {
                for (int r = 0; r < rows.Length; r++)
                {
                    terms[r] = cache.Acquire(rows[r], out bool cached);
                    build[r] = !cached;
                }
            }

            Parallel.For(
                0,
                rows.Length,
                new ParallelOptions { MaxDegreeOfParallelism = rows.Length < 16 ? 1 : _degreeOfParallelism },
                () => ArrayPool<float>.Shared.Rent(scratchLength),
                (r, _, scratch) =>
                {
                    SortedEntries history = side.Histories[rows[r]];
                    int n = history.Count;

                    // The other side's rows of this history, gathered into one contiguous block for the solver.
                    Span<float> gathered = scratch.AsSpan(0, n * _k);
                    for (int j = 0; j < n; j++)
                    {
                        other.Factors.Current(history.Indices[j]).CopyTo(gathered.Slice(j * _k, _k));
                    }

                    Span<int> local = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(scratch.AsSpan(n * _k, n));
                    for (int j = 0; j < n; j++)
                    {
                        local[j] = j;
                    }

                    Span<float> solverScratch = scratch.AsSpan((n * _k) + n);
                    if (terms[r] is { } userTerms)
                    {
                        if (build[r])
                        {
                            // Built in float (as an uncached solve builds them), kept in double from then on.
                            Span<float> built = solverScratch[..(_k * _k)];
                            built.Clear();
                            ImplicitLeastSquares.AddConfidenceTerms(built, gathered, _k, local, history.Values, _options.Alpha, solverScratch.Slice((_k * _k) + _k + n, n));
                            TensorPrimitives.ConvertChecked(built, userTerms.AsSpan());
                        }

                        ImplicitLeastSquares.SolveWithTerms(gram, userTerms, gathered, _k, local, history.Values, _options.Alpha, side.Factors.Writable(rows[r]), solverScratch);
                    }
                    else
                    {
                        ImplicitLeastSquares.Solve(AlsSolver.Cholesky, 0, gram, gathered, _k, local, history.Values, _options.Alpha, side.Factors.Writable(rows[r]), solverScratch);
                    }

                    return scratch;
                },
                scratch => ArrayPool<float>.Shared.Return(scratch));
        }
        catch
        {
            // Whatever did not finish is solved again with the next batch; terms that may be half built are dropped.
            side.Dirty.UnionWith(rows);
            for (int r = 0; r < rows.Length; r++)
            {
                if (build[r])
                {
                    cache!.Remove(rows[r]);
                }
            }

            throw;
        }
        finally
        {
            // A row that was rewritten moves the Gram matrix; one that was not contributes old - old = 0.
            for (int r = 0; r < rows.Length; r++)
            {
                side.CorrectGram(old.AsSpan(r * _k, _k), side.Factors.Current(rows[r]));
            }

            side.ChangesSinceRefresh += rows.Length;
        }
    }

    private void Publish()
    {
        ChunkedRows.Version users = _userSide.Factors.Publish();
        ChunkedRows.Version items = _itemSide.Factors.Publish();
        _serving.Show(users.Count, items.Count, context => new Snapshot(context, users, items));
    }

    /// <summary>One side of the factorisation: its factors, its histories, its Gram matrix and its dirty rows.</summary>
    private sealed class Side
    {
        private readonly int _k;
        private readonly double[] _gram;

        public Side(int k, ReadOnlySpan<float> factors, SparseRows histories, int chunkRows)
        {
            _k = k;
            Factors = new ChunkedRows(k, factors, chunkRows);
            for (int row = 0; row < histories.Count; row++)
            {
                Histories.Add(new SortedEntries(histories.IndicesOf(row), histories.ValuesOf(row)));
            }

            _gram = new double[k * k];
            RefreshGram();
        }

        public ChunkedRows Factors { get; }

        public List<SortedEntries> Histories { get; } = [];

        public HashSet<int> Dirty { get; } = [];

        /// <summary>Adds <paramref name="value"/> to the history entry (row, column) and marks the row dirty; returns the entry's value before (0 for a new entry).</summary>
        public float Add(int row, int column, float value)
        {
            while (Histories.Count <= row)
            {
                Histories.Add(default);
            }

            SortedEntries history = Histories[row];
            int at = history.Find(column);
            float old = 0f;
            if (at >= 0)
            {
                old = history.Values[at];
                history.Set(at, old + value);
            }
            else
            {
                history.Insert(~at, column, value);
            }

            Histories[row] = history;
            Dirty.Add(row);
            return old;
        }

        /// <summary>The Gram matrix plus λ on the diagonal, in single precision for the solver.</summary>
        public float[] RegularizedGram(float lambda)
        {
            var gram = new float[_k * _k];
            for (int i = 0; i < gram.Length; i++)
            {
                gram[i] = (float)_gram[i];
            }

            ImplicitAlsRecommender.AddToDiagonal(gram, _k, lambda);
            return gram;
        }

        /// <summary>Replaces one row's contribution: G += new newᵀ − old oldᵀ, one SIMD row of G at a time.</summary>
        public void CorrectGram(ReadOnlySpan<float> old, ReadOnlySpan<float> updated)
        {
            Span<double> oldRow = stackalloc double[_k];
            Span<double> newRow = stackalloc double[_k];
            for (int i = 0; i < _k; i++)
            {
                oldRow[i] = old[i];
                newRow[i] = updated[i];
            }

            for (int i = 0; i < _k; i++)
            {
                Span<double> gramRow = _gram.AsSpan(i * _k, _k);
                TensorPrimitives.MultiplyAdd(newRow, newRow[i], gramRow, gramRow);
                TensorPrimitives.MultiplyAdd(oldRow, -oldRow[i], gramRow, gramRow);
            }
        }

        /// <summary>The maintained Gram matrix, row-major.</summary>
        public ReadOnlySpan<double> GramValues => _gram;

        /// <summary>Replaces the maintained Gram matrix (a restored state).</summary>
        public void LoadGram(ReadOnlySpan<double> gram) => gram.CopyTo(_gram);

        /// <summary>Rows changed (and corrected for) since the last exact recomputation.</summary>
        public long ChangesSinceRefresh { get; set; }

        /// <summary>Recomputes the Gram matrix exactly from the current rows.</summary>
        public void RefreshGram()
        {
            Exact().CopyTo(_gram, 0);
            ChangesSinceRefresh = 0;
        }

        public double Drift()
        {
            double[] exact = Exact();
            double largest = 0, difference = 0;
            for (int i = 0; i < exact.Length; i++)
            {
                largest = Math.Max(largest, Math.Abs(exact[i]));
                difference = Math.Max(difference, Math.Abs(exact[i] - _gram[i]));
            }

            return largest == 0 ? difference : difference / largest;
        }

        private double[] Exact()
        {
            var gram = new double[_k * _k];
            Span<double> x = stackalloc double[_k];
            for (int row = 0; row < Factors.Count; row++)
            {
                ReadOnlySpan<float> factors = Factors.Current(row);
                for (int i = 0; i < _k; i++)
                {
                    x[i] = factors[i];
                }

                for (int i = 0; i < _k; i++)
                {
                    Span<double> gramRow = gram.AsSpan(i * _k, _k);
                    TensorPrimitives.MultiplyAdd(x, x[i], gramRow, gramRow);
                }
            }

            return gram;
        }
    }

    /// <summary>
    /// The saved state and its layout (<see cref="StateKind"/>), little-endian: i32 k, i32 user rows, i32 item rows,
    /// i32 pending items, i32 events since the last item update, i64 user and i64 item rows changed since their last
    /// Gram refresh, then
    /// the user and item Gram matrices (k² doubles each), the user and item factors (rows · k floats each) and the
    /// pending item indices.
    /// </summary>
    private sealed record State(int K, float[] Users, float[] Items, double[] UserGram, double[] ItemGram, int[] Dirty, int EventsSinceItemUpdate, long UserChanges, long ItemChanges)
    {
        private const int HeaderBytes = (5 * sizeof(int)) + (2 * sizeof(long));

        public byte[] Encode()
        {
            var bytes = new byte[HeaderBytes + ((UserGram.Length + ItemGram.Length) * sizeof(double)) + ((Users.Length + Items.Length) * sizeof(float)) + (Dirty.Length * sizeof(int))];
            Span<byte> rest = bytes;
            Put(ref rest, [K, Users.Length / K, Items.Length / K, Dirty.Length, EventsSinceItemUpdate]);
            Put(ref rest, [UserChanges, ItemChanges]);
            Put<double>(ref rest, UserGram);
            Put<double>(ref rest, ItemGram);
            Put<float>(ref rest, Users);
            Put<float>(ref rest, Items);
            Put<int>(ref rest, Dirty);
            return bytes;
        }

        /// <summary>The state in <paramref name="bytes"/>, or null when they do not hold exactly one.</summary>
        public static State? Decode(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length < HeaderBytes)
            {
                return null;
            }

            ReadOnlySpan<int> header = MemoryMarshal.Cast<byte, int>(bytes[..(5 * sizeof(int))]);
            (int k, int userRows, int itemRows, int dirty, int sinceItemUpdate) = (header[0], header[1], header[2], header[3], header[4]);
            long userChanges = BitConverter.ToInt64(bytes.Slice(5 * sizeof(int), sizeof(long)));
            long itemChanges = BitConverter.ToInt64(bytes.Slice((5 * sizeof(int)) + sizeof(long), sizeof(long)));
            long expected = HeaderBytes + (2L * k * k * sizeof(double)) + (((long)userRows + itemRows) * k * sizeof(float)) + ((long)dirty * sizeof(int));
            if (k < 1 || userRows < 0 || itemRows < 0 || dirty < 0 || sinceItemUpdate < 0 || userChanges < 0 || itemChanges < 0 || bytes.Length != expected)
            {
                return null;
            }

            ReadOnlySpan<byte> rest = bytes[HeaderBytes..];
            double[] userGram = Take<double>(ref rest, k * k);
            double[] itemGram = Take<double>(ref rest, k * k);
            float[] users = Take<float>(ref rest, userRows * k);
            float[] items = Take<float>(ref rest, itemRows * k);
            int[] pending = Take<int>(ref rest, dirty);
            return new State(k, users, items, userGram, itemGram, pending, sinceItemUpdate, userChanges, itemChanges);
        }

        private static void Put<T>(ref Span<byte> destination, scoped ReadOnlySpan<T> values)
            where T : unmanaged
        {
            ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
            bytes.CopyTo(destination);
            destination = destination[bytes.Length..];
        }

        private static T[] Take<T>(ref ReadOnlySpan<byte> source, int count)
            where T : unmanaged
        {
            int length = count * Unsafe.SizeOf<T>();
            T[] values = MemoryMarshal.Cast<byte, T>(source[..length]).ToArray();
            source = source[length..];
            return values;
        }
    }

    /// <summary>One published version: user factors, item factors and seen items of that moment.</summary>
    private sealed class Snapshot(FitContext context, ChunkedRows.Version users, ChunkedRows.Version items) : TrainedModel(context)
    {
        /// <summary>
        /// A user whose factors are all zero (every item they touched is new and has no factors yet) scores every item
        /// 0, so they get the popularity fallback until an event gives them a direction.
        /// </summary>
        public override bool CanPersonalize(int user) => base.CanPersonalize(user) && users.Row(user).IndexOfAnyExcept(0f) >= 0;

        public override void ScoreAll(int user, Span<float> scores) => ScoreRange(user, 0, scores);

        public override bool ScoresRanges => true;

        public override void ScoreRange(int user, int start, Span<float> scores)
        {
            ReadOnlySpan<float> x = users.Row(user);
            int done = 0;
            while (done < scores.Length)
            {
                // Item chunks are contiguous: score one chunk (or the part of it in range) per kernel call.
                ReadOnlySpan<float> block = items.RowsFrom(start + done);
                int rows = Math.Min(block.Length / items.Width, scores.Length - done);
                Simd.MultiplyRows(block[..(rows * items.Width)], x, scores.Slice(done, rows));
                done += rows;
            }
        }

        public override void ScoreItems(int user, ReadOnlySpan<int> itemIndices, Span<float> scores)
        {
            ReadOnlySpan<float> x = users.Row(user);
            for (int i = 0; i < itemIndices.Length; i++)
            {
                scores[i] = Simd.Dot(items.Row(itemIndices[i]), x);
            }
        }
    }
}
