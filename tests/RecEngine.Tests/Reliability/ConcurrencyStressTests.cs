using System.Diagnostics;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Models.Content;
using RecEngine.Models.Factorization;
using RecEngine.Models.Neighborhood;
using RecEngine.Persistence;
using RecEngine.Tests.Data.Loading;
using RecEngine.Tests.TestUtilities;
using Xunit.Abstractions;

namespace RecEngine.Tests.Reliability;

/// <summary>
/// Several writers, readers and maintenance calls (retrain, snapshot, save, erasure) on one engine for a bounded time,
/// with invariants checked throughout and at the end. Every wait has a timeout that fails the test, so a deadlock is
/// a failure, not a hang.
/// </summary>
public sealed class ConcurrencyStressTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>How long the load runs; the invariants, not the time, are what is checked.</summary>
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(6);

    private static RecommendationEngineOptions Options(string directory)
    {
        var options = new RecommendationEngineOptions
        {
            DataDirectory = directory,
            EventLog = { Fsync = FsyncPolicy.Interval },
            Ingest = { QueueCapacity = 2_048, MaxBatchSize = 256 },
        };
        options.Models.Add(EngineModel.ImplicitAls(new ImplicitAlsOptions { Factors = 8, Iterations = 3, Seed = 1 }));
        options.Models.Add(EngineModel.ItemKnn(new NeighborhoodOptions { Neighbors = 10 }));
        options.Models.Add(EngineModel.UserKnn(new NeighborhoodOptions { Neighbors = 10 }));
        options.Models.Add(EngineModel.Content(new ContentOptions()));
        options.Models.Add(EngineModel.Popularity());
        return options;
    }

    /// <summary>A served list is valid: at most the count asked for, no duplicates, finite scores in descending order, no excluded item.</summary>
    private static void AssertValid(ReadOnlySpan<ScoredItem> items, int count, string? excluded = null)
    {
        Assert.True(items.Length <= count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < items.Length; i++)
        {
            Assert.True(float.IsFinite(items[i].Score), $"score {items[i].Score} of {items[i].ItemId}");
            Assert.True(seen.Add(items[i].ItemId), $"{items[i].ItemId} twice");
            Assert.NotEqual(excluded, items[i].ItemId);
            if (i > 0)
            {
                Assert.True(items[i - 1].Score >= items[i].Score);
            }
        }
    }

    [Fact]
    public async Task WritersReadersAndMaintenance_Concurrently_CountEveryAcceptedEventOnce_AndServeOnlyValidResults()
    {
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = EventStreams.TimeOrdered(300, 200, 8_000);
        using var folder = new TempFolder();
        string directory = Path.Combine(folder.Path, "engine");
        string[] users = [.. Enumerable.Range(0, all.UserCount).Select(all.Users.GetId)];
        string[] items = [.. Enumerable.Range(0, all.ItemCount).Select(all.Items.GetId)];

        // Erasures pick users of the starting history, so every erasure removes at least one interaction.
        string[] erasable = [.. Enumerable.Range(0, start.Count).Select(r => start[r].UserId).Distinct()];
        long accepted = 0, rejected = 0, reads = 0, maintenance = 0, erasures = 0, erasedInteractions = 0;
        var stopwatch = Stopwatch.StartNew();
        RecommendationEngine engine = await RecommendationEngine.StartAsync(Options(directory), start).WaitAsync(Timeout);
        try
        {
            using var stop = new CancellationTokenSource(Duration);

            // Writers: events one at a time, as lists and as streams, from the synthetic stream and brand-new users.
            Task Writer(int w) => Task.Run(async () =>
            {
                var random = new Random(100 + w);
                for (int round = 0; !stop.IsCancellationRequested; round++)
                {
                    Interaction e = events[random.Next(events.Length)] with { Timestamp = DateTimeOffset.UnixEpoch.AddSeconds(round) };
                    if (w == 0)
                    {
                        e = e with { UserId = $"newcomer-{w}-{round % 500}" };
                    }

                    if (round % 3 == 0)
                    {
                        Interaction[] batch = [e, e with { ItemId = items[random.Next(items.Length)] }, e with { Value = float.NaN }];
                        BatchSubmitResult result = await engine.SubmitAsync(batch).AsTask().WaitAsync(Timeout);
                        Interlocked.Add(ref accepted, result.Accepted);
                        Interlocked.Add(ref rejected, result.Rejections.Count);
                        Assert.Equal([new Rejection(2, EventRejectionReason.NonFiniteValue)], result.Rejections);
                    }
                    else
                    {
                        SubmitResult result = await engine.SubmitAsync(e).AsTask().WaitAsync(Timeout);
                        Assert.True(result.Accepted, $"rejected: {result.Reason}");
                        Interlocked.Increment(ref accepted);
                    }
                }
            });

            // Readers: every call of the contract on every model, for known, new and unknown users.
            Task Reader(int r) => Task.Run(() =>
            {
                var random = new Random(200 + r);
                var buffer = new ScoredItem[20];
                var scores = new float[8];
                string[] candidates = new string[8];
                while (!stop.IsCancellationRequested)
                {
                    foreach (string model in engine.ModelNames)
                    {
                        IRecommender recommender = engine.GetRecommender(model);
                        string user = random.Next(10) == 0 ? $"newcomer-0-{random.Next(500)}" : users[random.Next(users.Length)];
                        int written = recommender.Recommend(user, buffer);
                        AssertValid(buffer.AsSpan(0, written), buffer.Length);
                        string item = items[random.Next(items.Length)];
                        AssertValid([.. recommender.SimilarItems(item, 10)], 10, excluded: item);
                        for (int c = 0; c < candidates.Length; c++)
                        {
                            candidates[c] = items[random.Next(items.Length)];
                        }

                        recommender.Score(user, candidates, scores);
                        Assert.All(scores, s => Assert.False(float.IsNaN(s)));
                        Interlocked.Increment(ref reads);
                    }
                }
            });

            // Maintenance: retrains, snapshots, saves and erasures, one after the other.
            Task Maintenance() => Task.Run(async () =>
            {
                var random = new Random(300);
                for (int round = 0; !stop.IsCancellationRequested; round++)
                {
                    switch (round % 4)
                    {
                        case 0:
                            ErasureResult erased = await engine.ForgetUserAsync(erasable[random.Next(erasable.Length)]).WaitAsync(Timeout);
                            Interlocked.Add(ref erasedInteractions, erased.Interactions);
                            Interlocked.Increment(ref erasures);
                            break;
                        case 1:
                            await engine.SnapshotAsync().WaitAsync(Timeout);
                            break;
                        case 2:
                            using (var saved = new MemoryStream())
                            {
                                await engine.SaveAsync(saved).WaitAsync(Timeout);
                                saved.Position = 0;
                                Assert.True(SnapshotFile.Read(saved, "saved").History.Count > 0);
                            }

                            break;
                        default:
                            await engine.RetrainAsync().WaitAsync(Timeout);
                            break;
                    }

                    Interlocked.Increment(ref maintenance);
                }
            });

            await Task.WhenAll(Writer(0), Writer(1), Writer(2), Reader(0), Reader(1), Maintenance()).WaitAsync(Timeout);
            Assert.True(erasures > 0 && erasedInteractions > 0, "the load erased nobody");
            await engine.FlushAsync().WaitAsync(Timeout);

            IngestCounters counters = engine.Counters;
            Assert.Equal(accepted, counters.Accepted);
            Assert.Equal(accepted, counters.Applied);
            Assert.Equal(rejected, counters.Rejected);
            Assert.Equal((0L, 0L, 0), (counters.Dropped, counters.Failed, counters.QueueLength));
            using var state = new MemoryStream();
            await engine.SaveAsync(state).WaitAsync(Timeout);
            state.Position = 0;
            Assert.Equal(start.Count + accepted - erasedInteractions, SnapshotFile.Read(state, "final").History.Count);
        }
        finally
        {
            await engine.DisposeAsync().AsTask().WaitAsync(Timeout);
        }

        // Everything accepted survives a restart (the log is forced at stop), less what was erased.
        await using RecommendationEngine restarted = await RecommendationEngine.StartAsync(Options(directory), start).WaitAsync(Timeout);
        using var restored = new MemoryStream();
        await restarted.SaveAsync(restored).WaitAsync(Timeout);
        restored.Position = 0;
        Assert.Equal(start.Count + accepted - erasedInteractions, SnapshotFile.Read(restored, "restarted").History.Count);
        output.WriteLine(
            $"{accepted:N0} events accepted ({rejected:N0} rejected as invalid), {reads:N0} read rounds, {maintenance:N0} maintenance calls, " +
            $"{erasures:N0} erasures of {erasedInteractions:N0} interactions, in {stopwatch.Elapsed.TotalSeconds:F1} s; 0 lost, 0 counted twice.");
    }
}
