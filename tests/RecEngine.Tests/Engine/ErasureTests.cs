using System.Text;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Models.Content;
using RecEngine.Models.Factorization;
using RecEngine.Models.Neighborhood;
using RecEngine.Models.Neural;
using RecEngine.Persistence;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Engine;

/// <summary>
/// Erasure (<see cref="RecommendationEngine.ForgetUsersAsync"/>): nothing of an erased user remains in memory, in the
/// saved state or in the data directory, and every other user is served exactly as by an engine rebuilt without them.
/// </summary>
public sealed class ErasureTests
{
    /// <summary>A user id that occurs nowhere else, so its bytes can be looked for in files.</summary>
    private const string Newcomer = "erase-me-7f3a9c";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static RecommendationEngineOptions Options(string? directory = null)
    {
        var options = new RecommendationEngineOptions { DataDirectory = directory };
        options.Models.Add(EngineModel.ImplicitAls(new ImplicitAlsOptions { Factors = 8, Iterations = 4, Seed = 5 }));
        options.Models.Add(EngineModel.ItemKnn(new NeighborhoodOptions { Neighbors = 10 }));
        options.Models.Add(EngineModel.UserKnn(new NeighborhoodOptions { Neighbors = 10 }));
        options.Models.Add(EngineModel.Content(new ContentOptions()));
        options.Models.Add(EngineModel.Popularity());
        options.Models.Add(EngineModel.Neural(new NeuralOptions { EmbeddingSize = 8, HiddenLayers = [8], Epochs = 2, DegreeOfParallelism = 1, Seed = 9 }));
        return options;
    }

    /// <summary>
    /// The start half of a synthetic stream, and the other half as events, plus the events of <see cref="Newcomer"/>,
    /// who copies the items of a user of the start (who also has events of their own: that user is the second to erase).
    /// </summary>
    private static (InteractionDataset Start, Interaction[] Events, string Regular) Data()
    {
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = EventStreams.TimeOrdered(150, 120, 5_000);
        string regular = events.GroupBy(e => e.UserId).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        Interaction[] newcomer = [.. Enumerable.Range(0, all.Count).Where(r => all.Users.GetId(all.UserIndices[r]) == regular).Select(r => all[r] with { UserId = Newcomer })];
        Interaction[] merged = [.. events.Concat(newcomer).OrderBy(e => e.Timestamp)];
        return (start, merged, regular);
    }

    /// <summary>The interactions of <paramref name="history"/> without the users' rows, other users in their order: what a rebuild starts from.</summary>
    private static InteractionDataset Without(InteractionDataset history, HashSet<string> erased)
    {
        var users = new IdMap();
        for (int u = 0; u < history.UserCount; u++)
        {
            if (!erased.Contains(history.Users.GetId(u)))
            {
                users.GetOrAdd(history.Users.GetId(u));
            }
        }

        var rows = new List<int>();
        for (int r = 0; r < history.Count; r++)
        {
            if (!erased.Contains(history.Users.GetId(history.UserIndices[r])))
            {
                rows.Add(r);
            }
        }

        int[] kept = [.. rows];
        return new InteractionDataset(
            users, history.Items.Clone(), users.Count, history.ItemCount, history.Catalog,
            [.. kept.Select(r => users.GetOrAdd(history.Users.GetId(history.UserIndices[r])))], [.. kept.Select(r => history.ItemIndices[r])],
            [.. kept.Select(r => history.Values[r])], [.. kept.Select(r => history.Weights[r])], [.. kept.Select(r => history.Timestamps[r])],
            [.. kept.Select(r => history.Kinds[r])]);
    }

    private static async Task<EngineSnapshot> SavedState(RecommendationEngine engine)
    {
        using var stream = new MemoryStream();
        await engine.SaveAsync(stream).WaitAsync(Timeout);
        stream.Position = 0;
        return SnapshotFile.Read(stream, "test");
    }

    private static async Task<byte[]> SavedBytes(RecommendationEngine engine)
    {
        using var stream = new MemoryStream();
        await engine.SaveAsync(stream).WaitAsync(Timeout);
        return stream.ToArray();
    }

    private static void AssertServesAsUnknown(RecommendationEngine engine, string user)
    {
        foreach (string model in engine.ModelNames)
        {
            IRecommender recommender = engine.GetRecommender(model);
            Assert.Equal(recommender.Recommend("never-seen-anywhere", 10), recommender.Recommend(user, 10));
        }
    }

    private static bool Contains(byte[] haystack, string text) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    /// <summary>The files of the data directory, but its lock file (held open by the engine, and always empty).</summary>
    private static string[] StateFiles(string directory) =>
        [.. Directory.GetFiles(directory).Where(f => Path.GetFileName(f) != DataDirectoryLock.FileName)];

    [Fact]
    public async Task ForgetUsers_OtherUsersGetExactlyTheRecommendationsOfAnEngineRebuiltWithoutThem()
    {
        (InteractionDataset start, Interaction[] events, string regular) = Data();
        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(Options(), start).WaitAsync(Timeout);
        Assert.Equal(events.Length, (await engine.SubmitAsync(events).AsTask().WaitAsync(Timeout)).Accepted);
        await engine.FlushAsync().WaitAsync(Timeout);
        HashSet<string> erased = [Newcomer, regular];
        InteractionDataset before = (await SavedState(engine)).History;
        int theirs = Enumerable.Range(0, before.Count).Count(r => erased.Contains(before.Users.GetId(before.UserIndices[r])));

        ErasureResult result = await engine.ForgetUsersAsync([Newcomer, regular, "nobody"]).WaitAsync(Timeout);

        Assert.Equal(2, result.Users);
        Assert.Equal(theirs, result.Interactions);
        Assert.Equal(0, result.LogRecords);
        InteractionDataset rebuiltFrom = Without(before, erased);
        await using RecommendationEngine rebuilt = await RecommendationEngine.StartAsync(Options(), rebuiltFrom).WaitAsync(Timeout);
        foreach (string model in engine.ModelNames)
        {
            for (int u = 0; u < rebuiltFrom.UserCount; u += 3)
            {
                string user = rebuiltFrom.Users.GetId(u);
                Assert.Equal(rebuilt.GetRecommender(model).Recommend(user, 10), engine.GetRecommender(model).Recommend(user, 10));
            }

            Assert.Equal(
                rebuilt.GetRecommender(model).SimilarItems(rebuiltFrom.Items.GetId(0), 5), engine.GetRecommender(model).SimilarItems(rebuiltFrom.Items.GetId(0), 5));
        }

        AssertServesAsUnknown(engine, Newcomer);
        AssertServesAsUnknown(engine, regular);
        EngineSnapshot after = await SavedState(engine);
        Assert.False(after.History.Users.TryGetIndex(Newcomer, out _));
        Assert.False(after.History.Users.TryGetIndex(regular, out _));
        Assert.Equal(before.Count - theirs, after.History.Count);
        Assert.False(Contains(await SavedBytes(engine), Newcomer));
    }

    [Fact]
    public async Task ForgetUser_WithADataDirectory_LeavesNoTraceInAnyFile_AndARestartServesTheErasedState()
    {
        (InteractionDataset start, Interaction[] events, string regular) = Data();
        using var folder = new Data.Loading.TempFolder();
        string directory = Path.Combine(folder.Path, "engine");
        var expected = new Dictionary<(string Model, string User), IReadOnlyList<ScoredItem>>();
        await using (RecommendationEngine engine = await RecommendationEngine.StartAsync(Options(directory), start).WaitAsync(Timeout))
        {
            int half = events.Length / 2;
            await engine.SubmitAsync(events[..half]).AsTask().WaitAsync(Timeout);
            await engine.SnapshotAsync().WaitAsync(Timeout);                      // an older snapshot that holds the newcomer
            await engine.SubmitAsync(events[half..]).AsTask().WaitAsync(Timeout);
            string[] files = StateFiles(directory);
            Assert.Contains(files, file => Contains(File.ReadAllBytes(file), Newcomer));

            ErasureResult result = await engine.ForgetUserAsync(Newcomer).WaitAsync(Timeout);

            Assert.Equal(1, result.Users);
            Assert.Equal(events.Count(e => e.UserId == Newcomer), result.LogRecords);
            Assert.Equal(1, result.FilesDeleted);
            foreach (string file in StateFiles(directory))
            {
                Assert.False(Contains(File.ReadAllBytes(file), Newcomer), $"{Path.GetFileName(file)} still holds the erased user's id.");
            }

            Assert.Single(SnapshotFile.List(directory));
            AssertServesAsUnknown(engine, Newcomer);
            foreach (string model in engine.ModelNames)
            {
                foreach (string user in new[] { regular, start.Users.GetId(1), start.Users.GetId(2) })
                {
                    expected[(model, user)] = engine.GetRecommender(model).Recommend(user, 10);
                }
            }

            // Later events are logged after the erasure and kept, the newcomer's too (they come back as a new user).
            Assert.True((await engine.SubmitAsync(new Interaction(regular, start.Items.GetId(3), 1f, DateTimeOffset.UnixEpoch.AddDays(20_000), EventKind.Click))).Accepted);
            await engine.FlushAsync().WaitAsync(Timeout);
            foreach (string model in engine.ModelNames)
            {
                expected[(model, regular)] = engine.GetRecommender(model).Recommend(regular, 10);
            }
        }

        await using RecommendationEngine restarted = await RecommendationEngine.StartAsync(Options(directory), start).WaitAsync(Timeout);
        AssertServesAsUnknown(restarted, Newcomer);
        foreach (((string model, string user), IReadOnlyList<ScoredItem> items) in expected)
        {
            IReadOnlyList<ScoredItem> actual = restarted.GetRecommender(model).Recommend(user, 10);
            if (model is "als" or "content")
            {
                // ALS confidence terms and content profiles are rebuilt from the interactions on restore, and equal the
                // incrementally kept ones up to rounding (see EngineSnapshotTests).
                Assert.Equal(items.Select(i => i.Score), actual.Select(i => i.Score), (a, b) => Math.Abs(a - b) <= 1e-4f);
            }
            else
            {
                Assert.Equal(items, actual);
            }
        }
    }

    [Fact]
    public async Task ForgetUser_WhenTheSnapshotIsLost_TheRewrittenLogStillRebuildsEveryoneElseButNotThem()
    {
        (InteractionDataset start, Interaction[] events, _) = Data();
        using var folder = new Data.Loading.TempFolder();
        string directory = Path.Combine(folder.Path, "engine");
        int newcomerEvents = events.Count(e => e.UserId == Newcomer);
        await using (RecommendationEngine engine = await RecommendationEngine.StartAsync(Options(directory), start).WaitAsync(Timeout))
        {
            await engine.SubmitAsync(events).AsTask().WaitAsync(Timeout);
            await engine.ForgetUserAsync(Newcomer).WaitAsync(Timeout);
        }

        foreach ((_, string path) in SnapshotFile.List(directory))
        {
            File.Delete(path);
        }

        // No snapshot: the engine trains on the starting interactions and replays the whole (rewritten) log.
        await using RecommendationEngine replayed = await RecommendationEngine.StartAsync(Options(directory), start).WaitAsync(Timeout);
        AssertServesAsUnknown(replayed, Newcomer);
        InteractionDataset history = (await SavedState(replayed)).History;
        Assert.Equal(start.Count + events.Length - newcomerEvents, history.Count);
    }

    [Fact]
    public async Task ForgetUsers_OfUnknownUsers_RemovesNothing()
    {
        (InteractionDataset start, _, _) = Data();
        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(Options(), start).WaitAsync(Timeout);
        string user = start.Users.GetId(0);
        IReadOnlyList<ScoredItem> before = engine.Recommender.Recommend(user, 10);

        ErasureResult result = await engine.ForgetUsersAsync(["nobody", "no-one-else"]).WaitAsync(Timeout);

        Assert.Equal((0, 0, 0L, 0), (result.Users, result.Interactions, result.LogRecords, result.FilesDeleted));
        Assert.Equal(before, engine.Recommender.Recommend(user, 10));
        Assert.Equal(start.Count, (await SavedState(engine)).History.Count);
    }

    [Fact]
    public async Task ForgetUsers_WithANullOrEmptyId_ThrowsNamingItsPosition_AndErasesNothing()
    {
        (InteractionDataset start, _, _) = Data();
        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(Options(), start).WaitAsync(Timeout);
        string user = start.Users.GetId(0);

        ArgumentException empty = await Assert.ThrowsAsync<ArgumentException>(() => engine.ForgetUsersAsync([user, ""]));
        await Assert.ThrowsAsync<ArgumentNullException>(() => engine.ForgetUsersAsync(null!));
        await Assert.ThrowsAsync<ArgumentException>(() => engine.ForgetUserAsync(""));

        Assert.Contains("position 1", empty.Message, StringComparison.Ordinal);
        Assert.Equal("userIds", empty.ParamName);
        Assert.True((await SavedState(engine)).History.Users.TryGetIndex(user, out _));
    }
}
