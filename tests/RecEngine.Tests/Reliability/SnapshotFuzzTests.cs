using RecEngine.Data;
using RecEngine.Models.Content;
using RecEngine.Models.Factorization;
using RecEngine.Models.Neighborhood;
using RecEngine.Persistence;
using RecEngine.Tests.TestUtilities;
using Xunit.Abstractions;

namespace RecEngine.Tests.Reliability;

/// <summary>
/// Fuzz-style tests of engine snapshots: the snapshot reader (<see cref="SnapshotFile"/>) and
/// <see cref="RecommendationEngine.LoadAsync(Stream, RecommendationEngineOptions, Microsoft.Extensions.Logging.ILogger?, System.Diagnostics.Metrics.IMeterFactory?, CancellationToken)"/>
/// fed damaged copies of a saved engine (most sealed again, so the damage reaches the parser), and engines started
/// from snapshots whose model states alone are damaged. A snapshot either loads consistently or is refused with an
/// <see cref="InvalidDataException"/>; a running engine serves exactly as before; a damaged model state is either
/// restored into a model that serves no NaN or refused, and the model is then trained on the saved interactions.
/// </summary>
public sealed class SnapshotFuzzTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static RecommendationEngineOptions Options()
    {
        var options = new RecommendationEngineOptions();
        options.Ingest.MaxBatchSize = 50;
        options.Models.Add(EngineModel.ImplicitAls(new ImplicitAlsOptions { Factors = 4, Iterations = 2, Seed = 5 }, new LiveAlsOptions { ItemUpdates = ItemUpdatePolicy.EveryNEvents, ItemUpdateEvents = 100 }));
        options.Models.Add(EngineModel.ItemKnn(new NeighborhoodOptions { Neighbors = 8 }));
        options.Models.Add(EngineModel.Popularity());
        options.Models.Add(EngineModel.Content(new ContentOptions()));
        options.Models.Add(EngineModel.Retrained("user-knn", () => new UserKnnRecommender(new NeighborhoodOptions { Neighbors = 8 })));
        return options;
    }

    private static async Task<(RecommendationEngine Engine, InteractionDataset All, byte[] Saved)> Running()
    {
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = EventStreams.TimeOrdered(40, 50, 1_200);
        RecommendationEngine engine = await RecommendationEngine.StartAsync(Options(), start).WaitAsync(Timeout);
        await engine.SubmitAsync(events[..150]).AsTask().WaitAsync(Timeout);
        await engine.FlushAsync().WaitAsync(Timeout);
        using var saved = new MemoryStream();
        await engine.SaveAsync(saved).WaitAsync(Timeout);
        return (engine, all, saved.ToArray());
    }

    private static List<IReadOnlyList<ScoredItem>> Serve(RecommendationEngine engine, InteractionDataset all)
    {
        var lists = new List<IReadOnlyList<ScoredItem>>();
        foreach (string name in engine.ModelNames)
        {
            IRecommender model = engine.GetRecommender(name);
            for (int u = 0; u < all.UserCount; u += 3)
            {
                lists.Add(model.Recommend(all.Users.GetId(u), 10));
            }

            lists.Add(model.SimilarItems(all.Items.GetId(0), 10));
        }

        return lists;
    }

    private static bool Same(List<IReadOnlyList<ScoredItem>> expected, List<IReadOnlyList<ScoredItem>> actual) =>
        expected.Count == actual.Count && expected.Zip(actual).All(pair => pair.First.SequenceEqual(pair.Second));

    /// <summary>What any snapshot that reads must hold: indices in range, finite values and weights, one state per model.</summary>
    private static void CheckConsistent(EngineSnapshot snapshot)
    {
        InteractionDataset history = snapshot.History;
        Assert.True(snapshot.Sequence >= 0);
        Assert.Equal(history.UserCount, history.Users.Count);
        Assert.Equal(history.ItemCount, history.Items.Count);
        Assert.Equal(history.ItemCount, history.Catalog.Count);
        for (int r = 0; r < history.Count; r++)
        {
            Assert.InRange(history.UserIndices[r], 0, history.UserCount - 1);
            Assert.InRange(history.ItemIndices[r], 0, history.ItemCount - 1);
            Assert.True(float.IsFinite(history.Values[r]) && float.IsFinite(history.Weights[r]));
            Assert.False(string.IsNullOrWhiteSpace(history.Kinds[r].Name));
        }

        for (int item = 0; item < history.ItemCount; item++)
        {
            Assert.All(history.Catalog[item].Numeric.Values, value => Assert.True(float.IsFinite(value), $"item {item} has a numeric attribute {value}"));
        }

        Assert.All(snapshot.Models.Values, state => Assert.NotNull(state.Data));
        if (snapshot.Decay is { } decay)
        {
            Assert.InRange(decay.Rows, 0, history.Count);
            Assert.True(decay.HalfLifeMilliseconds > 0 && double.IsFinite(decay.HalfLifeMilliseconds));
        }
    }

    [Fact]
    public async Task DamagedSnapshots_ReadConsistentlyOrThrowInvalidDataException_WithoutAHugeAllocation()
    {
        (RecommendationEngine engine, InteractionDataset all, byte[] saved) = await Running();
        await using RecommendationEngine running = engine;
        List<IReadOnlyList<ScoredItem>> before = Serve(running, all);
        var tally = new FuzzTally($"Snapshot reader ({saved.Length} bytes)", typeof(InvalidDataException));
        long worstAllocation = 0;
        int bodyLength = saved.Length - 20;
        var cases = new List<(int Seed, string Description, byte[] Input)>();
        for (int c = 0; c <= 300; c++)
        {
            int cut = c < 64 ? c : (int)((long)bodyLength * c / 300);
            cases.Add((-c, $"body cut at {cut} of {bodyLength} bytes, resealed", Mutations.TruncateBody(saved, cut)));
        }

        for (int i = 0; i < 3_000; i++)
        {
            int seed = 700_000 + i;
            var random = new Random(seed);
            string what = "random bytes";
            byte[] damaged = i % 50 == 0 ? Mutations.RandomBytes(random, 100) : Mutations.MutateFrame(saved, random, out what);
            cases.Add((seed, what, damaged));
        }

        foreach ((int seed, string description, byte[] input) in cases)
        {
            tally.Run(seed, description, () =>
            {
                long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                EngineSnapshot snapshot;
                try
                {
                    snapshot = SnapshotFile.Read(new MemoryStream(input, writable: false), "Fuzzed snapshot");
                }
                finally
                {
                    long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
                    worstAllocation = Math.Max(worstAllocation, allocated);
                    Assert.True(allocated <= (8L * input.Length) + (1 << 20), $"allocated {allocated} bytes for {input.Length} bytes of input");
                }

                CheckConsistent(snapshot);
            });
        }

        Assert.True(Same(before, Serve(running, all)), "the running engine serves differently after the fuzz run");
        Assert.True(tally.Refused > tally.Cases / 2, tally.ToString());
        output.WriteLine($"{tally}; largest allocation of one read {worstAllocation:N0} bytes");
    }

    [Fact]
    public async Task LoadingDamagedSavedEngines_StartsAConsistentEngineOrThrowsInvalidDataException_AndLeavesTheRunningEngineUntouched()
    {
        (RecommendationEngine engine, InteractionDataset all, byte[] saved) = await Running();
        await using RecommendationEngine running = engine;
        List<IReadOnlyList<ScoredItem>> before = Serve(running, all);
        var tally = new FuzzTally("Engine load of a damaged saved engine", typeof(InvalidDataException));
        for (int i = 0; i < 150; i++)
        {
            int seed = 800_000 + i;
            var random = new Random(seed);
            byte[] damaged = Mutations.MutateFrame(saved, random, out string description);
            RecommendationEngine? loaded = null;
            await tally.RunAsync(seed, description, async () =>
            {
                loaded = await RecommendationEngine.LoadAsync(new MemoryStream(damaged, writable: false), Options()).WaitAsync(Timeout);
                CheckServesConsistently(loaded, all);
            });
            if (loaded is not null)
            {
                await loaded.DisposeAsync();
            }

            Assert.True(Same(before, Serve(running, all)), $"case seed {seed} ({description}): the running engine serves differently");
        }

        Assert.True((await running.SubmitAsync(new Interaction("u-new", all.Items.GetId(0), 1f, DateTimeOffset.UnixEpoch, EventKind.View))).Accepted);
        output.WriteLine(tally.ToString());
    }

    /// <summary>
    /// Snapshots whose frame and interactions are intact but whose model states are damaged (most of all the saved ALS
    /// factors, with NaN, infinite and huge values written over them): the engine starts, and every model serves
    /// without a NaN score, from its restored state or, when the state is refused, after training on the interactions.
    /// </summary>
    [Fact]
    public async Task DamagedModelStates_AreRestoredConsistentlyOrRefused_AndTheEngineServesWithoutNaN()
    {
        (RecommendationEngine engine, InteractionDataset all, byte[] saved) = await Running();
        await using RecommendationEngine running = engine;
        EngineSnapshot snapshot = SnapshotFile.Read(new MemoryStream(saved), "saved");
        string[] names = [.. snapshot.Models.Keys.Order(StringComparer.Ordinal)];
        var tally = new FuzzTally("Engine load with one damaged model state", typeof(InvalidDataException));
        float[] poison = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, -float.MaxValue, 1e30f];
        for (int i = 0; i < 120; i++)
        {
            int seed = 900_000 + i;
            var random = new Random(seed);
            string name = i % 2 == 0 ? "als" : names[random.Next(names.Length)];
            SavedState state = snapshot.Models[name];
            byte[] data;
            string description;
            if (name == "als" && random.Next(2) == 0 && state.Data.Length >= 40)
            {
                // Over a float of the factors (after the 36-byte header and the two Gram matrices) or over a Gram entry.
                data = (byte[])state.Data.Clone();
                int at = 36 + (4 * random.Next((state.Data.Length - 36) / 4));
                float value = poison[random.Next(poison.Length)];
                BitConverter.TryWriteBytes(data.AsSpan(at), value);
                description = $"'{name}' state: float {value} written at byte {at}";
            }
            else
            {
                data = Mutations.Mutate(state.Data, random, out string what);
                description = $"'{name}' state: {what}";
            }

            var models = new Dictionary<string, SavedState>(snapshot.Models, StringComparer.Ordinal) { [name] = state with { Data = data } };
            using var damaged = new MemoryStream();
            SnapshotFile.Write(damaged, snapshot with { Models = models });
            damaged.Position = 0;
            RecommendationEngine? loaded = null;
            await tally.RunAsync(seed, description, async () =>
            {
                loaded = await RecommendationEngine.LoadAsync(damaged, Options()).WaitAsync(Timeout);
                CheckServesConsistently(loaded, all);
            });
            if (loaded is not null)
            {
                await loaded.DisposeAsync();
            }
        }

        Assert.Equal(tally.Cases, tally.Loaded);
        output.WriteLine(tally.ToString());
    }

    /// <summary>Every model of the engine serves lists of at most the count asked, without duplicates or NaN scores, in descending order.</summary>
    private static void CheckServesConsistently(RecommendationEngine engine, InteractionDataset all)
    {
        foreach (string name in engine.ModelNames)
        {
            IRecommender model = engine.GetRecommender(name);
            string[] items = [.. Enumerable.Range(0, all.ItemCount).Select(all.Items.GetId)];
            var scores = new float[items.Length];
            for (int u = 0; u < all.UserCount; u += 2)
            {
                Check(model.Recommend(all.Users.GetId(u), 10), $"model '{name}', user {u}");
                model.Score(all.Users.GetId(u), items, scores);
                Assert.True(!scores.Any(float.IsNaN), $"model '{name}' scores an item NaN for user {u}");
            }

            for (int item = 0; item < all.ItemCount; item += 5)
            {
                Check(model.SimilarItems(all.Items.GetId(item), 10), $"model '{name}', similar to item {item}");
            }
        }

        static void Check(IReadOnlyList<ScoredItem> list, string what)
        {
            Assert.True(list.Count <= 10, what);
            Assert.Equal(list.Count, list.Select(s => s.ItemId).Distinct(StringComparer.Ordinal).Count());
            for (int i = 0; i < list.Count; i++)
            {
                Assert.False(float.IsNaN(list[i].Score), $"{what}: a NaN score at {i}");
                Assert.True(i == 0 || list[i - 1].Score >= list[i].Score, $"{what}: scores out of order at {i}");
            }
        }
    }
}
