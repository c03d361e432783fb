using RecEngine.Data;
using RecEngine.Data.Synthetic;
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

    private static (InteractionDataset All, InteractionDataset Start, Interaction[] Events) Stream()
    {
        InteractionDataset all = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { UserCount = 200, ItemCount = 300, InteractionCount = 6_000, Feedback = SyntheticFeedback.ImplicitEvents });
        int[] order = [.. Enumerable.Range(0, all.Count).OrderBy(r => all.Timestamps[r]).ThenBy(r => r)];
        int half = order.Length / 2;
        return (all, all.Subset(order.AsSpan(0, half)), [.. order[half..].Select(r => all[r])]);
    }

    private static RecommendationEngineOptions Options(string directory)
    {
        var options = new RecommendationEngineOptions { DataDirectory = directory };
        options.Ingest.MaxBatchSize = 100;

        // Items wait for 250 events between updates, so a snapshot also holds items still to be updated.
        options.Models.Add(EngineModel.ImplicitAls(
            new ImplicitAlsOptions { Factors = 8, Iterations = 4, Seed = 5 },
            new LiveAlsOptions { ItemUpdates = ItemUpdatePolicy.EveryNEvents, ItemUpdateEvents = 250 }));
        options.Models.Add(EngineModel.ItemKnn(new NeighborhoodOptions { Neighbors = 10 }));
        options.Models.Add(EngineModel.Popularity());
        options.Models.Add(EngineModel.Content(new ContentOptions()));
        return options;
    }

    private static Dictionary<string, IReadOnlyList<ScoredItem>[]> Serve(RecommendationEngine engine, InteractionDataset users) =>
        engine.ModelNames.ToDictionary(
            name => name,
            name => Enumerable.Range(0, users.UserCount).Where(u => u % 4 == 0).Select(u => engine.GetRecommender(name).Recommend(users.Users.GetId(u), 10)).ToArray());

    private static void AssertSameServing(Dictionary<string, IReadOnlyList<ScoredItem>[]> expected, Dictionary<string, IReadOnlyList<ScoredItem>[]> actual, float contentTolerance)
    {
        foreach ((string name, IReadOnlyList<ScoredItem>[] lists) in expected)
        {
            for (int u = 0; u < lists.Length; u++)
            {
                if (name == "content")
                {
                    // Profiles rebuilt from the interactions equal incrementally kept ones up to rounding.
                    Assert.Equal(lists[u].Select(i => i.Score), actual[name][u].Select(i => i.Score), (a, b) => Math.Abs(a - b) <= contentTolerance);
                }
                else
                {
                    Assert.Equal(lists[u], actual[name][u]);
                }
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
            AssertSameServing(before, Serve(restarted, all), 1e-4f);
        }

        Assert.Contains($"snapshot after event {cut}", logger.Entries[0].Message);
        Assert.Contains($"{events.Length - cut} events replayed", logger.Entries[0].Message);

        // Without the log tail, the restart serves exactly what the engine served at the snapshot.
        File.Delete(Path.Combine(folder.Path, EventLog.FileName));
        await using (RecommendationEngine fromSnapshot = await RecommendationEngine.StartAsync(options))
        {
            AssertSameServing(atSnapshot, Serve(fromSnapshot, all), 1e-4f);

            // Numbering goes on after the snapshot, though the log was lost: the next start replays the new event.
            await fromSnapshot.SubmitAsync(new Interaction("after", all.Items.GetId(1), 1f, DateTimeOffset.UtcNow, EventKind.Click));
        }

        await using RecommendationEngine again = await RecommendationEngine.StartAsync(options);
        Assert.True(again.Recommender.IsKnownUser("after"));
    }

    [Fact]
    public async Task AfterARestore_AlsFoldsNewEventsInExactlyAsTheUninterruptedEngine()
    {
        using var continuousFolder = new TempFolder();
        using var restartedFolder = new TempFolder();
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();
        int cut = events.Length / 2;

        // User fold-in against fixed items does not depend on how events fall into micro-batches, so two engines fed
        // the same events separately must agree exactly.
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

        for (int u = 0; u < all.UserCount; u += 3)
        {
            string user = all.Users.GetId(u);
            Assert.Equal(continuous.Recommender.Recommend(user, 10), restarted.Recommender.Recommend(user, 10));
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
            AssertSameServing(before, Serve(restarted, all), 1e-4f);
        }

        Assert.Contains(logger.Entries, e => e.Id == 1007 && e.Message.Contains(Path.GetFileName(newer.Path), StringComparison.Ordinal));
        Assert.Contains($"snapshot after event {older.Sequence}", logger.Entries.Single(e => e.Id == 1000).Message);

        // With no readable snapshot at all: the starting interactions and the whole log.
        File.WriteAllBytes(older.Path, [1, 2, 3]);
        await using RecommendationEngine fromLog = await RecommendationEngine.StartAsync(options, start);
        AssertSameServing(before, Serve(fromLog, all), 1e-4f);
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

        Assert.True(SnapshotFile.List(folder.Path).Single().Sequence >= 3);

        long NewestSequence()
        {
            IReadOnlyList<(long Sequence, string Path)> snapshots = SnapshotFile.List(folder.Path);
            return snapshots.Count == 0 ? 0 : snapshots[0].Sequence;
        }
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
}
