using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Models.Content;
using RecEngine.Models.Factorization;
using RecEngine.Models.Neighborhood;
using RecEngine.Persistence;
using RecEngine.Tests.Data.Loading;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Engine;

/// <summary>Snapshots of a whole engine: what a restart restores, and what it does with damaged files.</summary>
public sealed class EngineSnapshotTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static (InteractionDataset All, InteractionDataset Start, Interaction[] Events) Stream() => EventStreams.TimeOrdered(200, 300, 6_000);

    private static RecommendationEngineOptions Options(string directory)
    {
        // Weights aged at training, so a restore must age the saved history as the last training did.
        var options = new RecommendationEngineOptions { DataDirectory = directory, HalfLife = TimeSpan.FromDays(30) };
        options.Ingest.MaxBatchSize = 100;

        // Items wait for 250 events between updates and the Gram matrices are refreshed every 700 changed rows, so a
        // snapshot also holds items still to be updated and Gram matrices that drifted since their last refresh.
        options.Models.Add(EngineModel.ImplicitAls(
            new ImplicitAlsOptions { Factors = 8, Iterations = 4, Seed = 5 },
            new LiveAlsOptions { ItemUpdates = ItemUpdatePolicy.EveryNEvents, ItemUpdateEvents = 250, GramRefreshUpdates = 700 }));
        options.Models.Add(EngineModel.ItemKnn(new NeighborhoodOptions { Neighbors = 10 }));
        options.Models.Add(EngineModel.Popularity());
        options.Models.Add(EngineModel.Content(new ContentOptions()));
        return options;
    }

    private static Dictionary<string, IReadOnlyList<ScoredItem>[]> Serve(RecommendationEngine engine, InteractionDataset users) =>
        engine.ModelNames.ToDictionary(
            name => name,
            name => Enumerable.Range(0, users.UserCount).Where(u => u % 4 == 0).Select(u => engine.GetRecommender(name).Recommend(users.Users.GetId(u), 10)).ToArray());

    /// <summary>
    /// Content profiles rebuilt from the interactions equal the incrementally kept ones up to float rounding (the sums
    /// run in another order), so content scores are compared within this; its item ids must still be the same.
    /// </summary>
    private static readonly Dictionary<string, float> Rebuilt = new(StringComparer.Ordinal) { ["content"] = 1e-4f };

    /// <summary>
    /// As <see cref="Rebuilt"/>, and for ALS once events went through a restored (or replaying) model: a model that
    /// took the events live kept its users' confidence terms cached, the other rebuilds them, so fold-ins agree up to
    /// rounding. At the snapshot itself the factors are saved, and ALS serves bit for bit.
    /// </summary>
    private static readonly Dictionary<string, float> RebuiltAndFoldedIn = new(StringComparer.Ordinal) { ["content"] = 1e-4f, ["als"] = 1e-4f };

    /// <summary>
    /// Every model serves the same items in the same order to every user, with the same scores: bit for bit, or within
    /// the model's entry of <paramref name="tolerances"/> when it has one.
    /// </summary>
    private static void AssertSameServing(Dictionary<string, IReadOnlyList<ScoredItem>[]> expected, Dictionary<string, IReadOnlyList<ScoredItem>[]> actual, IReadOnlyDictionary<string, float>? tolerances = null)
    {
        Assert.Equal(expected.Keys, actual.Keys);
        foreach ((string name, IReadOnlyList<ScoredItem>[] lists) in expected)
        {
            float tolerance = tolerances?.GetValueOrDefault(name) ?? 0f;
            for (int u = 0; u < lists.Length; u++)
            {
                IReadOnlyList<ScoredItem> want = lists[u], got = actual[name][u];
                bool same = want.Count == got.Count && want.Select(i => i.ItemId).SequenceEqual(got.Select(i => i.ItemId))
                    && want.Zip(got).All(p => tolerance == 0 ? p.First.Score.Equals(p.Second.Score) : Math.Abs(p.First.Score - p.Second.Score) <= tolerance);
                Assert.True(same, $"Model '{name}', list {u}: expected [{string.Join(", ", want)}], got [{string.Join(", ", got)}].");
            }
        }
    }

    [Fact]
    public async Task Restart_FromASnapshotAndTheLogTail_ServesWhatTheEngineServedBeforeIt()
    {
        using var folder = new TempFolder();
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();
        RecommendationEngineOptions options = Options(folder.Path);
        int cut = events.Length * 2 / 3;
        Dictionary<string, IReadOnlyList<ScoredItem>[]> atSnapshot, before;
        SnapshotResult snapshot;
        await using (RecommendationEngine engine = await RecommendationEngine.StartAsync(options, start))
        {
            await engine.SubmitAsync(events[..cut]).AsTask().WaitAsync(Timeout);
            snapshot = await engine.SnapshotAsync().WaitAsync(Timeout);
            atSnapshot = Serve(engine, all);
            await engine.SubmitAsync(events[cut..]).AsTask().WaitAsync(Timeout);
            before = Serve(engine, all);
        }

        Assert.Equal(cut, snapshot.Sequence);
        Assert.Equal(start.Count + cut, snapshot.Interactions);
        Assert.True(File.Exists(snapshot.Path));

        // The starting interactions are not needed any more: the snapshot holds them.
        var logger = new ListLogger();
        await using (RecommendationEngine restarted = await RecommendationEngine.StartAsync(options, logger: logger))
        {
            AssertSameServing(before, Serve(restarted, all), RebuiltAndFoldedIn);
        }

        Assert.Contains($"snapshot after event {cut}", logger.Entries[0].Message);
        Assert.Contains($"{events.Length - cut} events replayed", logger.Entries[0].Message);

        // Without the log tail, the restart serves exactly what the engine served at the snapshot.
        File.Delete(Path.Combine(folder.Path, EventLog.FileName));
        await using (RecommendationEngine fromSnapshot = await RecommendationEngine.StartAsync(options))
        {
            AssertSameServing(atSnapshot, Serve(fromSnapshot, all), Rebuilt);

            // Numbering goes on after the snapshot, though the log was lost: the next start replays the new event.
            await fromSnapshot.SubmitAsync(new Interaction("after", all.Items.GetId(1), 1f, DateTimeOffset.UtcNow, EventKind.Click));
        }

        await using RecommendationEngine again = await RecommendationEngine.StartAsync(options);
        Assert.True(again.Recommender.IsKnownUser("after"));
    }

    [Fact]
    public async Task AfterARestore_AlsFoldsNewEventsInAsTheUninterruptedEngine()
    {
        using var continuousFolder = new TempFolder();
        using var restartedFolder = new TempFolder();
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();
        int cut = events.Length / 2;

        // User fold-in against fixed items does not depend on how events fall into micro-batches, so two engines fed
        // the same events separately must agree (to the rounding of the cached confidence terms).
        RecommendationEngineOptions Fold(string directory)
        {
            var options = new RecommendationEngineOptions { DataDirectory = directory };
            options.Models.Add(EngineModel.ImplicitAls(new ImplicitAlsOptions { Factors = 8, Iterations = 4, Seed = 5 }, new LiveAlsOptions { ItemUpdates = ItemUpdatePolicy.Never }));
            return options;
        }

        await using RecommendationEngine continuous = await RecommendationEngine.StartAsync(Fold(continuousFolder.Path), start);
        await continuous.SubmitAsync(events[..cut]);
        SnapshotResult snapshot = await continuous.SnapshotAsync();
        File.Copy(snapshot.Path, Path.Combine(restartedFolder.Path, Path.GetFileName(snapshot.Path)));
        await using RecommendationEngine restarted = await RecommendationEngine.StartAsync(Fold(restartedFolder.Path));

        await continuous.SubmitAsync(events[cut..]);
        await restarted.SubmitAsync(events[cut..]);

        // Equal up to rounding: the uninterrupted engine keeps its users' confidence terms cached, the restored one
        // rebuilds them.
        for (int u = 0; u < all.UserCount; u += 3)
        {
            string user = all.Users.GetId(u);
            Assert.Equal(
                continuous.Recommender.Recommend(user, 10).Select(i => i.Score), restarted.Recommender.Recommend(user, 10).Select(i => i.Score),
                (a, b) => Math.Abs(a - b) <= 1e-5f);
        }
    }

    [Fact]
    public async Task DamagedNewestSnapshot_FallsBackToAnOlderOne_ThenToTheWholeLog()
    {
        using var folder = new TempFolder();
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();
        RecommendationEngineOptions options = Options(folder.Path);
        Dictionary<string, IReadOnlyList<ScoredItem>[]> before;
        SnapshotResult older, newer;
        await using (RecommendationEngine engine = await RecommendationEngine.StartAsync(options, start))
        {
            await engine.SubmitAsync(events[..1000]);
            older = await engine.SnapshotAsync();
            await engine.SubmitAsync(events[1000..]);
            newer = await engine.SnapshotAsync();
            before = Serve(engine, all);
        }

        byte[] bytes = File.ReadAllBytes(newer.Path);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(newer.Path, bytes);
        var logger = new ListLogger();
        await using (RecommendationEngine restarted = await RecommendationEngine.StartAsync(options, start, logger))
        {
            AssertSameServing(before, Serve(restarted, all), RebuiltAndFoldedIn);
        }

        Assert.Contains(logger.Entries, e => e.Id == 1007 && e.Message.Contains(Path.GetFileName(newer.Path), StringComparison.Ordinal));
        Assert.Contains($"snapshot after event {older.Sequence}", logger.Entries.Single(e => e.Id == 1000).Message);

        // With no readable snapshot at all: the starting interactions and the whole log.
        File.WriteAllBytes(older.Path, [1, 2, 3]);
        await using RecommendationEngine fromLog = await RecommendationEngine.StartAsync(options, start);
        AssertSameServing(before, Serve(fromLog, all), RebuiltAndFoldedIn);
    }

    [Fact]
    public async Task ScheduledSnapshots_AreWrittenAndPruned()
    {
        using var folder = new TempFolder();
        RecommendationEngineOptions options = Options(folder.Path);
        options.SnapshotInterval = TimeSpan.FromSeconds(1);
        options.SnapshotsToKeep = 1;
        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(options);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; waited.Elapsed < Timeout && NewestSequence() < 3; i++)
        {
            await engine.SubmitAsync(new Interaction($"u{i}", "item", 1f, DateTimeOffset.UtcNow, EventKind.View));
            await Task.Delay(100);
        }

        // Stopping waits for a snapshot in flight, pruning included.
        await engine.DisposeAsync();
        Assert.True(SnapshotFile.List(folder.Path).Single().Sequence >= 3);

        long NewestSequence()
        {
            IReadOnlyList<(long Sequence, string Path)> snapshots = SnapshotFile.List(folder.Path);
            return snapshots.Count == 0 ? 0 : snapshots[0].Sequence;
        }
    }

    [Fact]
    public async Task UnreadableNewerSnapshot_IsSetAside_AndNeverCostsTheSnapshotJustWritten()
    {
        using var folder = new TempFolder();
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();
        RecommendationEngineOptions options = Options(folder.Path);
        options.SnapshotsToKeep = 1;
        string bogus = folder.Write("snapshot-00000000000000099999.rsnp", [1, 2, 3]);
        Dictionary<string, IReadOnlyList<ScoredItem>[]> before;
        await using (RecommendationEngine engine = await RecommendationEngine.StartAsync(options, start))
        {
            Assert.False(File.Exists(bogus));
            Assert.True(File.Exists(bogus + ".unreadable"));

            // A newer file that appears while running (say, copied in) must not cost the snapshot just written.
            folder.Write("snapshot-00000000000000099998.rsnp", [1, 2, 3]);
            await engine.SubmitAsync(events);
            SnapshotResult written = await engine.SnapshotAsync();
            Assert.Equal([written.Path], SnapshotFile.List(folder.Path).Select(s => s.Path));
            before = Serve(engine, all);
        }

        await using RecommendationEngine restarted = await RecommendationEngine.StartAsync(options);
        AssertSameServing(before, Serve(restarted, all), Rebuilt);
    }

    [Fact]
    public async Task ABatchAModelFailsOn_IsLogged_ThenARetrainBringsModelsAndHistoryBackInLine()
    {
        using var folder = new TempFolder();
        var options = new RecommendationEngineOptions { DataDirectory = folder.Path };
        options.Ingest.MaxBatchSize = 1;

        // Summed weights overflow on the second event: the neighbourhood index refuses that batch.
        options.Models.Add(EngineModel.ItemKnn(new NeighborhoodOptions { Values = MatrixValues.Weight }));
        options.Models.Add(EngineModel.Popularity());
        Interaction Big(string item) => new("u", item, 3e38f, DateTimeOffset.UtcNow, EventKind.View);
        Interaction[] events = [Big("a"), Big("a"), new("v", "a", 1f, DateTimeOffset.UtcNow, EventKind.View), new("v", "c", 1f, DateTimeOffset.UtcNow, EventKind.View)];
        var logger = new ListLogger();
        await using (RecommendationEngine engine = await RecommendationEngine.StartAsync(options, logger: logger))
        {
            await engine.SubmitAsync(events);
            Assert.Equal(1, engine.Counters.Failed);
            await WaitForAsync(() => SnapshotFile.List(folder.Path).Count == 1);
        }

        // The failure, the reconciling retrain and the snapshot that follows it; the history holds the three good events.
        Assert.Contains(logger.Entries, e => e.Id == 1002);
        Assert.Contains(logger.Entries, e => e.Id == 1011);
        Assert.Single(SnapshotFile.List(folder.Path));
        await using (RecommendationEngine fromSnapshot = await RecommendationEngine.StartAsync(options))
        {
            Assert.True(fromSnapshot.GetRecommender("popularity").IsKnownUser("v"));
            Assert.Equal(3, (await fromSnapshot.RetrainAsync()).Trained);
        }

        // Without snapshots the whole log is replayed: the bad batch fails again the same way, and the start goes on.
        foreach ((_, string path) in SnapshotFile.List(folder.Path))
        {
            File.Delete(path);
        }

        var replayLogger = new ListLogger();
        await using RecommendationEngine replayed = await RecommendationEngine.StartAsync(options, logger: replayLogger);
        Assert.True(replayed.GetRecommender("popularity").IsKnownUser("v"));
        Assert.Contains(replayLogger.Entries, e => e.Id == 1002);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < Timeout, "Timed out waiting.");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task ARetrain_RecordsHowItAgedWeights_SoARestartRestoresItsModels()
    {
        using var folder = new TempFolder();
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();
        RecommendationEngineOptions options = Options(folder.Path);
        Dictionary<string, IReadOnlyList<ScoredItem>[]> before;
        await using (RecommendationEngine engine = await RecommendationEngine.StartAsync(options, start))
        {
            await engine.SubmitAsync(events[..1500]);
            await engine.RetrainAsync();
            await engine.SubmitAsync(events[1500..]);
            before = Serve(engine, all);
        }

        // The retrain aged the weights from a later reference than the start did; the snapshot after it says so.
        await using RecommendationEngine restarted = await RecommendationEngine.StartAsync(options);
        AssertSameServing(before, Serve(restarted, all), RebuiltAndFoldedIn);
    }

    [Fact]
    public async Task ASecondEngine_CannotOpenADataDirectoryInUse()
    {
        using var folder = new TempFolder();
        RecommendationEngineOptions options = Options(folder.Path);
        await using (RecommendationEngine first = await RecommendationEngine.StartAsync(options))
        {
            IOException error = await Assert.ThrowsAsync<IOException>(() => RecommendationEngine.StartAsync(options));
            Assert.Contains("in use by another engine", error.Message);
        }

        // Released on dispose.
        await using RecommendationEngine second = await RecommendationEngine.StartAsync(options);
    }

    [Fact]
    public async Task StartingIdsASnapshotCouldNotStore_AreRefusedWithADataDirectory()
    {
        using var folder = new TempFolder();
        InteractionDataset start = new InteractionDatasetBuilder().Add("user-\ud800", "item", 1f, 0, EventKind.View).Build();
        RecommendationEngineOptions options = Options(folder.Path);
        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(() => RecommendationEngine.StartAsync(options, start));
        Assert.Equal("start", error.ParamName);
        Assert.Contains("user id at index 0", error.Message);
    }

    [Fact]
    public async Task Snapshots_NeedADataDirectory()
    {
        var options = new RecommendationEngineOptions();
        options.Models.Add(EngineModel.Popularity());
        await using (RecommendationEngine engine = await RecommendationEngine.StartAsync(options))
        {
            Assert.Contains("DataDirectory", (await Assert.ThrowsAsync<InvalidOperationException>(() => engine.SnapshotAsync())).Message);
        }

        options.SnapshotInterval = TimeSpan.FromMinutes(5);
        Assert.Equal("SnapshotInterval", (await Assert.ThrowsAsync<ArgumentException>(() => RecommendationEngine.StartAsync(options))).ParamName);
    }

    [Fact]
    public async Task SaveToAStream_ThenLoad_ServesTheSame_AndFollowsNewEventsAsTheOriginal()
    {
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();

        // Item factors that move at micro-batch boundaries would make two engines fed the same events differ by
        // where their boundaries fell; with fixed item factors every model's state depends on the events alone.
        RecommendationEngineOptions options = Options(null!);
        options.DataDirectory = null;
        options.Models[0] = EngineModel.ImplicitAls(new ImplicitAlsOptions { Factors = 8, Iterations = 4, Seed = 5 }, new LiveAlsOptions { ItemUpdates = ItemUpdatePolicy.Never });
        int cut = events.Length / 2;
        using var saved = new MemoryStream();
        await using RecommendationEngine original = await RecommendationEngine.StartAsync(options, start);
        await original.SubmitAsync(events[..cut]).AsTask().WaitAsync(Timeout);
        await original.FlushAsync().WaitAsync(Timeout);
        SaveResult result = await original.SaveAsync(saved).WaitAsync(Timeout);

        Assert.Equal(saved.Length, result.Bytes);
        Assert.Equal(start.Count + cut, result.Interactions);
        saved.Position = 0;
        var logger = new ListLogger();
        await using RecommendationEngine loaded = await RecommendationEngine.LoadAsync(saved, options, logger).WaitAsync(Timeout);

        Assert.Equal(saved.Length, saved.Position);
        Assert.DoesNotContain(logger.Entries, e => e.Id == 1010);
        AssertSameServing(Serve(original, all), Serve(loaded, all), Rebuilt);

        // Both take the rest of the events: the loaded engine goes on from the same state.
        await original.SubmitAsync(events[cut..]).AsTask().WaitAsync(Timeout);
        await loaded.SubmitAsync(events[cut..]).AsTask().WaitAsync(Timeout);
        await Task.WhenAll(original.FlushAsync(), loaded.FlushAsync()).WaitAsync(Timeout);
        AssertSameServing(Serve(original, all), Serve(loaded, all), RebuiltAndFoldedIn);
    }

    [Fact]
    public async Task LoadIntoAnEmptyDataDirectory_MakesItTheFirstSnapshot_AndARestartFindsItWithTheEventsAfter()
    {
        using var folder = new TempFolder();
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();
        RecommendationEngineOptions options = Options(Path.Combine(folder.Path, "first"));
        string file = Path.Combine(folder.Path, "engine.rsnp");
        await using (RecommendationEngine engine = await RecommendationEngine.StartAsync(options, start))
        {
            await engine.SubmitAsync(events[..1_000]).AsTask().WaitAsync(Timeout);
            SaveResult result = await engine.SaveAsync(file).WaitAsync(Timeout);
            Assert.Equal(new FileInfo(file).Length, result.Bytes);
            Assert.Equal(1_000, result.Sequence);
        }

        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));
        RecommendationEngineOptions moved = Options(Path.Combine(folder.Path, "moved"));
        Dictionary<string, IReadOnlyList<ScoredItem>[]> before;
        await using (RecommendationEngine loaded = await RecommendationEngine.LoadAsync(file, moved).WaitAsync(Timeout))
        {
            await loaded.SubmitAsync(events[1_000..2_000]).AsTask().WaitAsync(Timeout);
            before = Serve(loaded, all);
        }

        Assert.Single(Directory.GetFiles(moved.DataDirectory!, "snapshot-*.rsnp"));
        await using (RecommendationEngine restarted = await RecommendationEngine.StartAsync(moved))
        {
            Assert.Equal(start.Count + 2_000, (await restarted.SaveAsync(new MemoryStream())).Interactions);
            AssertSameServing(before, Serve(restarted, all), RebuiltAndFoldedIn);
        }

        // A directory that holds state already is refused, and keeps its state.
        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => RecommendationEngine.LoadAsync(file, moved));
        Assert.Contains("already holds an engine's state", error.Message, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(moved.DataDirectory!, "snapshot-*.rsnp"));
    }

    [Fact]
    public async Task LoadingADamagedOrForeignState_Throws_AndLeavesTheRunningEngineAndTheDirectoryUntouched()
    {
        using var folder = new TempFolder();
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();
        RecommendationEngineOptions options = Options(null!);
        options.DataDirectory = null;
        await using RecommendationEngine running = await RecommendationEngine.StartAsync(options, start);
        await running.SubmitAsync(events[..500]).AsTask().WaitAsync(Timeout);

        // Applied before what it serves is recorded: a submitted event may still be queued.
        await running.FlushAsync().WaitAsync(Timeout);
        using var saved = new MemoryStream();
        await running.SaveAsync(saved);
        Dictionary<string, IReadOnlyList<ScoredItem>[]> before = Serve(running, all);

        byte[] bytes = saved.ToArray();
        var random = new Random(3);
        RecommendationEngineOptions target = Options(Path.Combine(folder.Path, "target"));
        for (int trial = 0; trial < 20; trial++)
        {
            byte[] damaged = trial % 2 == 0 ? bytes[..random.Next(bytes.Length)] : (byte[])bytes.Clone();
            if (trial % 2 == 1)
            {
                damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8));
            }

            InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => RecommendationEngine.LoadAsync(new MemoryStream(damaged), target));
            Assert.StartsWith("Saved engine", error.Message, StringComparison.Ordinal);
        }

        using (var model = new MemoryStream())
        {
            var popularity = new RecEngine.Models.Popularity.PopularityRecommender();
            popularity.Fit(start);
            ModelFile.Save(popularity, model);
            model.Position = 0;
            Assert.Contains("not a RecEngine snapshot (no RSNP header)", (await Assert.ThrowsAsync<InvalidDataException>(() => RecommendationEngine.LoadAsync(model, target))).Message, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(target.DataDirectory));
        AssertSameServing(before, Serve(running, all));
        Assert.True((await running.SubmitAsync(events[500])).Accepted);
    }

    [Fact]
    public async Task ARetrainedRecEngineModel_IsSavedInSnapshots_SoARestartServesItWithoutTrainingIt()
    {
        using var folder = new TempFolder();
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();
        int created = 0;
        var options = new RecommendationEngineOptions { DataDirectory = folder.Path };
        options.Models.Add(EngineModel.Retrained("knn", () =>
        {
            Interlocked.Increment(ref created);
            return new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 10 });
        }));
        IReadOnlyList<ScoredItem>[] before;
        await using (RecommendationEngine engine = await RecommendationEngine.StartAsync(options, start))
        {
            await engine.SubmitAsync(events[..1_000]).AsTask().WaitAsync(Timeout);
            await engine.SnapshotAsync().WaitAsync(Timeout);
            before = [.. Enumerable.Range(0, all.UserCount).Select(u => engine.Recommender.Recommend(all.Users.GetId(u), 10))];
        }

        Assert.Equal(1, created);
        var logger = new ListLogger();
        await using (RecommendationEngine restarted = await RecommendationEngine.StartAsync(options, logger: logger))
        {
            // Trained on the starting interactions only, as before the restart, not on the 1,000 events since.
            Assert.Equal(before, Enumerable.Range(0, all.UserCount).Select(u => restarted.Recommender.Recommend(all.Users.GetId(u), 10)));
        }

        // One instance made to check the saved model's class; none trained.
        Assert.Equal(2, created);
        Assert.DoesNotContain(logger.Entries, e => e.Id == 1010);
    }

    [Fact]
    public async Task SaveToAStream_ThenLoad_WithTheDefaultItemUpdates_ServesTheSame_AndFollowsNewEventsAsTheOriginal()
    {
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();

        // Items updated at every micro-batch (the default): with one event per batch both engines update at the same
        // points, so they must agree as the events go on.
        RecommendationEngineOptions options = Options(null!);
        options.DataDirectory = null;
        options.Ingest.MaxBatchSize = 1;
        options.Models[0] = EngineModel.ImplicitAls(new ImplicitAlsOptions { Factors = 8, Iterations = 4, Seed = 5 });
        int cut = events.Length / 2;
        using var saved = new MemoryStream();
        await using RecommendationEngine original = await RecommendationEngine.StartAsync(options, start);
        await original.SubmitAsync(events[..cut]).AsTask().WaitAsync(Timeout);
        await original.FlushAsync().WaitAsync(Timeout);
        await original.SaveAsync(saved).WaitAsync(Timeout);
        saved.Position = 0;
        var logger = new ListLogger();
        await using RecommendationEngine loaded = await RecommendationEngine.LoadAsync(saved, options, logger).WaitAsync(Timeout);

        Assert.DoesNotContain(logger.Entries, e => e.Id == 1010);
        AssertSameServing(Serve(original, all), Serve(loaded, all), Rebuilt);

        await original.SubmitAsync(events[cut..]).AsTask().WaitAsync(Timeout);
        await loaded.SubmitAsync(events[cut..]).AsTask().WaitAsync(Timeout);
        await Task.WhenAll(original.FlushAsync(), loaded.FlushAsync()).WaitAsync(Timeout);
        AssertSameServing(Serve(original, all), Serve(loaded, all), Rebuilt);
    }

    [Fact]
    public async Task ARetrainedHybrid_IsSavedInSnapshots_SoARestartServesItWithoutTrainingIt()
    {
        using var folder = new TempFolder();
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();
        int created = 0;
        var options = new RecommendationEngineOptions { DataDirectory = folder.Path };
        options.Models.Add(EngineModel.Retrained("hybrid", () =>
        {
            Interlocked.Increment(ref created);
            return new RecEngine.Models.Hybrid.HybridRecommender([(new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 10 }), 0.7), (new RecEngine.Models.Popularity.PopularityRecommender(), 0.3)]);
        }));
        Dictionary<string, IReadOnlyList<ScoredItem>[]> before;
        await using (RecommendationEngine engine = await RecommendationEngine.StartAsync(options, start))
        {
            await engine.SubmitAsync(events[..1_000]).AsTask().WaitAsync(Timeout);
            await engine.SnapshotAsync().WaitAsync(Timeout);
            before = ServeEveryUser(engine, all);
        }

        var logger = new ListLogger();
        await using (RecommendationEngine restarted = await RecommendationEngine.StartAsync(options, logger: logger))
        {
            AssertSameServing(before, ServeEveryUser(restarted, all));
        }

        // One instance made to check the saved model's class; none trained.
        Assert.Equal(2, created);
        Assert.DoesNotContain(logger.Entries, e => e.Id == 1010);
    }

    private static Dictionary<string, IReadOnlyList<ScoredItem>[]> ServeEveryUser(RecommendationEngine engine, InteractionDataset users) =>
        engine.ModelNames.ToDictionary(
            name => name,
            name => Enumerable.Range(0, users.UserCount).Select(u => engine.GetRecommender(name).Recommend(users.Users.GetId(u), 10)).ToArray());

    [Fact]
    public async Task LiveKnnStates_AreSavedAndRead_ServingAndFollowingEventsAsARebuildFromTheInteractions()
    {
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();
        var options = new RecommendationEngineOptions();
        options.Ingest.MaxBatchSize = 100;
        options.Models.Add(EngineModel.ItemKnn(new NeighborhoodOptions { Neighbors = 10 }));
        options.Models.Add(EngineModel.UserKnn(new NeighborhoodOptions { Neighbors = 10, Measure = SimilarityMeasure.Pearson, Values = MatrixValues.Weight }));
        int cut = events.Length / 2;
        await using RecommendationEngine original = await RecommendationEngine.StartAsync(options, start);
        await original.SubmitAsync(events[..cut]).AsTask().WaitAsync(Timeout);
        await original.FlushAsync().WaitAsync(Timeout);
        using var saved = new MemoryStream();
        await original.SaveAsync(saved).WaitAsync(Timeout);

        // The same state without the models' saved states: what a snapshot of before them loads, by rebuilding.
        saved.Position = 0;
        EngineSnapshot snapshot = SnapshotFile.Read(saved, "test");
        Assert.Equal([LiveNeighborhood.ItemStateKind, LiveNeighborhood.UserStateKind], snapshot.Models.Values.Select(m => m.Kind));
        using var stripped = new MemoryStream();
        SnapshotFile.Write(stripped, snapshot with { Models = new Dictionary<string, SavedState>() });

        saved.Position = 0;
        stripped.Position = 0;
        var logger = new ListLogger();
        await using RecommendationEngine loaded = await RecommendationEngine.LoadAsync(saved, options, logger).WaitAsync(Timeout);
        await using RecommendationEngine rebuilt = await RecommendationEngine.LoadAsync(stripped, options).WaitAsync(Timeout);
        Assert.DoesNotContain(logger.Entries, e => e.Id == 1010);
        AssertSameKnn(all, original, loaded, rebuilt);

        foreach (RecommendationEngine engine in new[] { original, loaded, rebuilt })
        {
            await engine.SubmitAsync(events[cut..]).AsTask().WaitAsync(Timeout);
            await engine.FlushAsync().WaitAsync(Timeout);
        }

        AssertSameKnn(all, original, loaded, rebuilt);
    }

    /// <summary>Every user's top 10 and every item's similar items, of every model, equal across the engines.</summary>
    private static void AssertSameKnn(InteractionDataset all, params RecommendationEngine[] engines)
    {
        foreach (string name in engines[0].ModelNames)
        {
            IRecommender expected = engines[0].GetRecommender(name);
            foreach (RecommendationEngine engine in engines[1..])
            {
                IRecommender actual = engine.GetRecommender(name);
                for (int u = 0; u < all.UserCount; u++)
                {
                    Assert.Equal(expected.Recommend(all.Users.GetId(u), 10), actual.Recommend(all.Users.GetId(u), 10));
                }

                for (int i = 0; i < all.ItemCount; i++)
                {
                    Assert.Equal(expected.SimilarItems(all.Items.GetId(i), 10), actual.SimilarItems(all.Items.GetId(i), 10));
                }
            }
        }
    }

    /// <summary>Options unlike the defaults in every part a saved configuration records.</summary>
    private static RecommendationEngineOptions Configured()
    {
        var options = new RecommendationEngineOptions { DefaultModel = "knn", HalfLife = TimeSpan.FromDays(10), RetrainInterval = TimeSpan.FromDays(2) };
        options.Ingest.MaxBatchSize = 50;
        options.Ingest.QueueCapacity = 10_000;
        options.Ingest.FullQueuePolicy = FullQueuePolicy.Reject;
        options.Ingest.AllowNegativeWeights = false;
        options.Ingest.MaxIdLength = 100;
        options.Ingest.MaxUsers = 5_000;
        options.Ingest.MaxItems = 4_000;
        options.Ingest.Weights.RejectUnknownKinds = false;
        options.Ingest.Weights.DefaultWeight = 0.5f;
        options.Ingest.Weights.Set(EventKind.Click, 2.5f).Set(new EventKind("like"), 3f);
        options.Models.Add(EngineModel.ImplicitAls(
            new ImplicitAlsOptions { Factors = 8, Iterations = 4, Seed = 5, Regularization = 0.1f, Alpha = 2f, DegreeOfParallelism = 1 },
            new LiveAlsOptions { ItemUpdates = ItemUpdatePolicy.Never, GramRefreshUpdates = 500, ConfidenceCacheMegabytes = 4 },
            "als8"));
        options.Models.Add(EngineModel.ItemKnn(new NeighborhoodOptions { Neighbors = 7, Shrinkage = 3f, Measure = SimilarityMeasure.Jaccard }, "knn"));
        options.Models.Add(EngineModel.UserKnn(new NeighborhoodOptions { Neighbors = 9, Measure = SimilarityMeasure.Pearson, Values = MatrixValues.Weight }, "uknn"));
        options.Models.Add(EngineModel.Popularity(new RecEngine.Models.Popularity.PopularityOptions { HalfLife = TimeSpan.FromDays(7), Values = MatrixValues.Weight }, "pop"));
        options.Models.Add(EngineModel.Content(new ContentOptions { CategoryWeight = 2f, TextWeight = 0.5f, MinimumTokenLength = 3 }, "text"));
        options.Models.Add(EngineModel.Neural(
            new RecEngine.Models.Neural.NeuralOptions { EmbeddingSize = 8, HiddenLayers = [16], Epochs = 2, DegreeOfParallelism = 1, Seed = 3 },
            new RecEngine.Models.Neural.NeuralOnlineOptions { LearningRate = 0.1, Seed = 11, UpdateItems = false },
            "net"));
        return options;
    }

    [Fact]
    public async Task LoadWithoutOptions_MakesTheSavedConfigurationAgain_AndServesAndFollowsEventsAsTheOriginal()
    {
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();
        RecommendationEngineOptions options = Configured();
        int cut = events.Length / 2;
        await using RecommendationEngine original = await RecommendationEngine.StartAsync(options, start);
        await original.SubmitAsync(events[..cut]).AsTask().WaitAsync(Timeout);
        await original.FlushAsync().WaitAsync(Timeout);
        using var saved = new MemoryStream();
        await original.SaveAsync(saved).WaitAsync(Timeout);
        saved.Position = 0;
        var logger = new ListLogger();
        await using RecommendationEngine loaded = await RecommendationEngine.LoadAsync(saved, logger: logger).WaitAsync(Timeout);

        RecommendationEngineOptions made = loaded.Options;
        Assert.Equal(options.DefaultModel, made.DefaultModel);
        Assert.Equal(options.HalfLife, made.HalfLife);
        Assert.Equal(options.RetrainInterval, made.RetrainInterval);
        Assert.Null(made.DataDirectory);
        Assert.Null(made.SnapshotInterval);
        AssertSameSettings(options.Ingest, made.Ingest, "Ingest");
        Assert.Equal(options.Models.Select(m => (m.Name, m.Kind, m.FollowsEvents)), made.Models.Select(m => (m.Name, m.Kind, m.FollowsEvents)));
        for (int m = 0; m < options.Models.Count; m++)
        {
            Assert.Equal(options.Models[m].Settings.Count, made.Models[m].Settings.Count);
            for (int o = 0; o < options.Models[m].Settings.Count; o++)
            {
                AssertSameSettings(options.Models[m].Settings[o], made.Models[m].Settings[o], $"{options.Models[m].Name}[{o}]");
            }
        }

        Assert.Equal("knn", loaded.Recommender.Name);
        Assert.DoesNotContain(logger.Entries, e => e.Id == 1010);
        var rebuilt = new Dictionary<string, float>(StringComparer.Ordinal) { ["text"] = 1e-4f };
        AssertSameServing(Serve(original, all), Serve(loaded, all), rebuilt);

        // The ingest options came back too: the same events are accepted, weighted and rejected alike.
        Interaction[] later = [.. events[cut..], new Interaction("u-new", all.Items.GetId(0), 1f, DateTimeOffset.UtcNow, new EventKind("like")), new Interaction(new string('u', 101), all.Items.GetId(0), 1f, DateTimeOffset.UtcNow, EventKind.Click)];
        BatchSubmitResult first = await original.SubmitAsync(later).AsTask().WaitAsync(Timeout);
        BatchSubmitResult second = await loaded.SubmitAsync(later).AsTask().WaitAsync(Timeout);
        Assert.Equal(first.Accepted, second.Accepted);
        Assert.Equal(later.Length - 1, first.Accepted);
        await Task.WhenAll(original.FlushAsync(), loaded.FlushAsync()).WaitAsync(Timeout);
        AssertSameServing(Serve(original, all), Serve(loaded, all), new Dictionary<string, float>(rebuilt) { ["als8"] = 1e-4f });
    }

    [Fact]
    public async Task LoadWithoutOptions_OfAModelWithAFactoryOfTheHostsOwn_ThrowsNamingIt_AndFullOptionsStillLoadIt()
    {
        (InteractionDataset all, InteractionDataset start, _) = Stream();
        var options = new RecommendationEngineOptions();
        options.Models.Add(EngineModel.Popularity());
        options.Models.Add(EngineModel.Retrained("mine", () => new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 5 })));
        using var saved = new MemoryStream();
        await using (RecommendationEngine engine = await RecommendationEngine.StartAsync(options, start))
        {
            await engine.SaveAsync(saved).WaitAsync(Timeout);
        }

        saved.Position = 0;
        NotSupportedException error = await Assert.ThrowsAsync<NotSupportedException>(() => RecommendationEngine.LoadAsync(saved));
        Assert.Contains("Model 'mine'", error.Message, StringComparison.Ordinal);
        Assert.Contains("EngineModel.Retrained", error.Message, StringComparison.Ordinal);

        saved.Position = 0;
        await using RecommendationEngine loaded = await RecommendationEngine.LoadAsync(saved, options).WaitAsync(Timeout);
        Assert.Equal(["popularity", "mine"], loaded.ModelNames);
    }

    [Fact]
    public async Task AStateOfTheFormerVersion_LoadsWithOptionsByRebuilding_AndWithoutOptionsIsRefusedAsHoldingNoConfiguration()
    {
        using var folder = new TempFolder();
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();
        RecommendationEngineOptions options = Options(null!);
        options.DataDirectory = null;
        options.Models[0] = EngineModel.ImplicitAls(new ImplicitAlsOptions { Factors = 8, Iterations = 4, Seed = 5 }, new LiveAlsOptions { ItemUpdates = ItemUpdatePolicy.Never });
        await using RecommendationEngine original = await RecommendationEngine.StartAsync(options, start);
        await original.SubmitAsync(events[..2_000]).AsTask().WaitAsync(Timeout);
        await original.FlushAsync().WaitAsync(Timeout);
        using var saved = new MemoryStream();
        await original.SaveAsync(saved).WaitAsync(Timeout);
        saved.Position = 0;

        // Version 3 as it was written: no configuration, and of the live models only implicit ALS kept a state.
        EngineSnapshot snapshot = SnapshotFile.Read(saved, "test");
        string path = Path.Combine(folder.Path, "former.rsnp");
        using (FileStream file = File.Create(path))
        {
            SnapshotFile.Write(file, snapshot with { Models = snapshot.Models.Where(m => m.Value.Kind.StartsWith("implicit-als/", StringComparison.Ordinal)).ToDictionary(), Configuration = null }, version: 3);
        }

        Assert.Equal(3u, BitConverter.ToUInt32(File.ReadAllBytes(path).AsSpan(4, 4)));
        var logger = new ListLogger();
        await using (RecommendationEngine loaded = await RecommendationEngine.LoadAsync(path, options, logger).WaitAsync(Timeout))
        {
            Assert.DoesNotContain(logger.Entries, e => e.Id == 1010);
            AssertSameServing(Serve(original, all), Serve(loaded, all), Rebuilt);
        }

        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => RecommendationEngine.LoadAsync(path));
        Assert.Contains("holds no configuration", error.Message, StringComparison.Ordinal);
        Assert.Contains("former.rsnp", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every public property of two option objects is equal: values and strings by value, sequences element by
    /// element, nested option objects property by property (reflection, not the code that saves them).
    /// </summary>
    private static void AssertSameSettings(object expected, object actual, string path)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        foreach (System.Reflection.PropertyInfo property in expected.GetType().GetProperties())
        {
            if (property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            object? want = property.GetValue(expected), got = property.GetValue(actual);
            string at = $"{path}.{property.Name}";
            if (want is null || got is null)
            {
                Assert.True(want is null && got is null, $"{at}: {want ?? "null"} against {got ?? "null"}");
            }
            else if (want.GetType().IsPrimitive || want.GetType().IsEnum || want is string or TimeSpan or EventKind)
            {
                Assert.True(want.Equals(got), $"{at}: {want} against {got}");
            }
            else if (want is System.Collections.IEnumerable sequence)
            {
                Assert.Equal(sequence.Cast<object>(), ((System.Collections.IEnumerable)got).Cast<object>());
            }
            else
            {
                AssertSameSettings(want, got, at);
            }
        }
    }
}
