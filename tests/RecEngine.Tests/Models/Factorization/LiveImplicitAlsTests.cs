using RecEngine.Data;
using RecEngine.Data.Synthetic;
using RecEngine.Ingest;
using RecEngine.Models.Factorization;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Models.Factorization;

public sealed class LiveImplicitAlsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly InteractionDataset Data = SyntheticDatasetGenerator.Generate(
        new SyntheticDatasetOptions { UserCount = 300, ItemCount = 400, InteractionCount = 12_000, Feedback = SyntheticFeedback.ImplicitEvents });

    private static ImplicitAlsRecommender Fitted()
    {
        var model = new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 16, Iterations = 6, Values = MatrixValues.One, DegreeOfParallelism = 1 });
        model.Fit(Data);
        return model;
    }

    private static Interaction Click(string user, string item) => new(user, item, 1f, DateTimeOffset.UnixEpoch, EventKind.Click);

    /// <summary>The scores the fitted model's exact fold-in gives for a history, for the given items.</summary>
    private static float[] FoldInScores(ImplicitAlsRecommender model, string[] history, float[] values, string[] items)
    {
        var factors = new float[model.Factors];
        model.FoldInUser(history, values, factors);
        var itemFactors = new float[model.Factors];
        return [.. items.Select(item =>
        {
            Assert.True(model.TryGetItemFactors(item, itemFactors));
            return factors.Zip(itemFactors).Sum(p => p.First * p.Second);
        })];
    }

    private static readonly LiveAlsOptions UsersOnly = new() { ItemUpdates = ItemUpdatePolicy.Never };

    [Fact]
    public async Task AnEvent_ChangesTheNextRecommendation_ByAnExactFoldIn()
    {
        ImplicitAlsRecommender fitted = Fitted();

        // Items frozen, so the fitted model's own fold-in is the reference.
        var live = new LiveImplicitAls(fitted, UsersOnly);
        await using var pipeline = new EventPipeline(new IngestOptions(), live);
        string user = Data.Users.GetId(0);
        IReadOnlyList<ScoredItem> before = live.Recommender.Recommend(user, 10);

        // The user clicks two items they have not seen; one click twice.
        string[] clicked = [before[3].ItemId, before[7].ItemId];
        await pipeline.SubmitAsync(Click(user, clicked[0]));
        await pipeline.SubmitAsync(Click(user, clicked[1]));
        await pipeline.SubmitAsync(Click(user, clicked[1]));
        await pipeline.FlushAsync().WaitAsync(Timeout);

        IReadOnlyList<ScoredItem> after = live.Recommender.Recommend(user, 10);
        Assert.DoesNotContain(after, r => clicked.Contains(r.ItemId));

        // The scores are the exact fold-in of the whole history: training items (value 1 each, summed) plus the clicks.
        var history = new Dictionary<string, float>();
        for (int r = 0; r < Data.Count; r++)
        {
            if (Data.UserIndices[r] == 0)
            {
                string item = Data.Items.GetId(Data.ItemIndices[r]);
                history[item] = history.GetValueOrDefault(item) + 1f;
            }
        }

        history[clicked[0]] = history.GetValueOrDefault(clicked[0]) + 1f;
        history[clicked[1]] = history.GetValueOrDefault(clicked[1]) + 2f;
        float[] expected = FoldInScores(fitted, [.. history.Keys], [.. history.Values], [.. after.Select(r => r.ItemId)]);
        for (int i = 0; i < after.Count; i++)
        {
            Assert.Equal(expected[i], after[i].Score, 3);
        }

        // The fitted model itself has not moved.
        Assert.Equal(fitted.Recommend(user, 10).Select(r => r.ItemId), before.Select(r => r.ItemId));
    }

    [Fact]
    public async Task ANewUser_IsPersonalisedAfterTheirFirstEvents()
    {
        ImplicitAlsRecommender fitted = Fitted();
        var live = new LiveImplicitAls(fitted, UsersOnly);
        await using var pipeline = new EventPipeline(new IngestOptions(), live);
        Assert.False(live.Recommender.IsKnownUser("newcomer"));

        string[] items = [Data.Items.GetId(5), Data.Items.GetId(17), Data.Items.GetId(40)];
        foreach (string item in items)
        {
            await pipeline.SubmitAsync(Click("newcomer", item));
        }

        // An item the fit never saw joins the catalog; with items frozen its factor is 0, so it adds nothing.
        await pipeline.SubmitAsync(Click("newcomer", "brand-new-item"));
        await pipeline.FlushAsync().WaitAsync(Timeout);

        Assert.True(live.Recommender.IsKnownUser("newcomer"));
        IReadOnlyList<ScoredItem> top = live.Recommender.Recommend("newcomer", 5);
        Assert.DoesNotContain(top, r => r.ItemId == "brand-new-item");
        float[] expected = FoldInScores(fitted, items, [1f, 1f, 1f], [.. top.Select(r => r.ItemId)]);
        Assert.Equal(expected, top.Select(r => r.Score), (a, b) => Math.Abs(a - b) < 1e-3);
        Assert.DoesNotContain(top, r => items.Contains(r.ItemId));
        Assert.Equal(0, pipeline.Counters.Failed);
    }

    [Fact]
    public void ANewItem_GetsAFactorFromItsUsers_AndReachesSimilarUsers()
    {
        ImplicitAlsRecommender fitted = Fitted();
        var live = new LiveImplicitAls(fitted);

        // Twenty users who share a taste (the fit's most similar users to user 0) take a brand-new item.
        string seed = Data.Users.GetId(0);
        float[] seedFactors = new float[fitted.Factors], factors = new float[fitted.Factors];
        Assert.True(fitted.TryGetUserFactors(seed, seedFactors));
        string[] fans = [.. Enumerable.Range(1, Data.UserCount - 1).Select(Data.Users.GetId)
            .OrderByDescending(u => fitted.TryGetUserFactors(u, factors) ? Cosine(seedFactors, factors) : -1).Take(20)];
        long sequence = 0;
        live.Apply([.. fans.Select(u => new WeightedEvent(Click(u, "new-release"), 2f, ++sequence))]);

        // The item is a candidate now, with a real factor: user 0 (like the fans, never took it) gets it near the top.
        IReadOnlyList<ScoredItem> forSeed = live.Recommender.Recommend(seed, 20);
        Assert.Contains(forSeed, r => r.ItemId == "new-release");
        Assert.DoesNotContain(live.Recommender.Recommend(fans[0], 50), r => r.ItemId == "new-release");
        Assert.True(live.GramDrift() < 1e-9, $"drift {live.GramDrift():E2}");
    }

    [Fact]
    public void GramMatrices_StayWithinTheirErrorBound_UnderManyUpdates()
    {
        ImplicitAlsRecommender fitted = Fitted();

        // No refresh during the run: every change goes through rank-one corrections.
        var live = new LiveImplicitAls(fitted, new LiveAlsOptions { GramRefreshUpdates = int.MaxValue });
        var random = new Random(9);
        long sequence = 0;
        for (int batch = 0; batch < 200; batch++)
        {
            WeightedEvent[] events = [.. Enumerable.Range(0, 10).Select(_ => new WeightedEvent(
                Click(random.Next(8) == 0 ? $"new-user-{random.Next(40)}" : Data.Users.GetId(random.Next(Data.UserCount)),
                      random.Next(8) == 0 ? $"new-item-{random.Next(40)}" : Data.Items.GetId(random.Next(Data.ItemCount))),
                1f,
                ++sequence))];
            live.Apply(events);
        }

        // 2,000 events changed thousands of rows; in double precision the maintained Grams stay exact to 1e-9.
        Assert.True(live.GramDrift() < 1e-9, $"drift {live.GramDrift():E2}");
    }

    [Fact]
    public void EveryNEvents_ReSolvesTheItemsTouchedSinceTheLastUpdate()
    {
        ImplicitAlsRecommender fitted = Fitted();
        var live = new LiveImplicitAls(fitted, new LiveAlsOptions { ItemUpdates = ItemUpdatePolicy.EveryNEvents, ItemUpdateEvents = 3 });
        string[] fans = [.. Enumerable.Range(0, 3).Select(Data.Users.GetId)];

        // Two events: below the threshold, the new item has no factor yet and scores 0 for everyone.
        live.Apply([new WeightedEvent(Click(fans[0], "late-item"), 2f, 1)]);
        live.Apply([new WeightedEvent(Click(fans[1], "late-item"), 2f, 2)]);
        float[] score = new float[1];
        live.Recommender.Score(fans[2], ["late-item"], score);
        Assert.Equal(0f, score[0]);

        // The third event reaches it: the items touched since the last update are solved, the new one from its two users.
        live.Apply([new WeightedEvent(Click(fans[2], Data.Items.GetId(1)), 2f, 3)]);
        live.Recommender.Score(Data.Users.GetId(4), ["late-item"], score);
        Assert.NotEqual(0f, score[0]);
    }

    private static double Cosine(float[] a, float[] b) =>
        a.Zip(b).Sum(p => (double)p.First * p.Second) / Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(x => (double)x * x));

    [Fact]
    public async Task Readers_KeepGettingValidResults_WhileEventsAreApplied()
    {
        ImplicitAlsRecommender fitted = Fitted();
        var live = new LiveImplicitAls(fitted);
        await using var pipeline = new EventPipeline(new IngestOptions { MaxBatchSize = 8 }, live);
        using var stop = new CancellationTokenSource(Timeout);
        int reads = 0, writes = 0;
        Task writer = Task.Factory.StartNew(() =>
        {
            var random = new Random(3);
            for (int e = 0; e < 3_000 && !stop.IsCancellationRequested; e++)
            {
                string user = random.Next(4) == 0 ? $"new-{random.Next(50)}" : Data.Users.GetId(random.Next(Data.UserCount));
                Assert.True(pipeline.SubmitAsync(Click(user, Data.Items.GetId(random.Next(Data.ItemCount)))).AsTask().Result.Accepted);
                Interlocked.Increment(ref writes);
            }

            pipeline.FlushAsync().Wait(Timeout);
        }, TaskCreationOptions.LongRunning);
        Task[] readers = [.. Enumerable.Range(0, 2).Select(seed => Task.Factory.StartNew(() =>
        {
            var random = new Random(seed);
            var buffer = new ScoredItem[10];
            while (!writer.IsCompleted)
            {
                string user = random.Next(4) == 0 ? $"new-{random.Next(50)}" : Data.Users.GetId(random.Next(Data.UserCount));
                int count = live.Recommender.Recommend(user, buffer);
                Assert.Equal(10, count);
                Assert.Equal(10, buffer.Select(b => b.ItemId).Distinct().Count());
                Assert.All(buffer, b => Assert.True(float.IsFinite(b.Score)));
                Interlocked.Increment(ref reads);
            }
        }, TaskCreationOptions.LongRunning))];

        await Task.WhenAll([writer, .. readers]).WaitAsync(Timeout);
        Assert.Equal(3_000, writes);
        Assert.True(reads > 10, $"{reads} reads");
        Assert.Equal(3_000, pipeline.Counters.Applied);
    }

    [Theory]
    [InlineData(ItemUpdatePolicy.Never)]
    [InlineData(ItemUpdatePolicy.EveryNEvents)]
    public void CachedConfidenceTerms_GiveTheFoldInOfARebuild(ItemUpdatePolicy policy)
    {
        // k = 64 and 1 MB hold 64 users: with 300 users the cache evicts all the time.
        var model = new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 64, Iterations = 3, Values = MatrixValues.Weight, DegreeOfParallelism = 2 });
        model.Fit(Data);
        var cached = new LiveImplicitAls(model, new LiveAlsOptions { ItemUpdates = policy, ItemUpdateEvents = 500, ConfidenceCacheMegabytes = 1 });
        var rebuilt = new LiveImplicitAls(model, new LiveAlsOptions { ItemUpdates = policy, ItemUpdateEvents = 500, ConfidenceCacheMegabytes = 0 });
        var random = new Random(11);
        long sequence = 0;
        for (int batch = 0; batch < 60; batch++)
        {
            // Users drawn by activity, so cached users come back; repeated and negative events change existing terms.
            WeightedEvent[] events = [.. Enumerable.Range(0, 1 + random.Next(40)).Select(_ =>
            {
                int row = random.Next(Data.Count);
                float weight = random.Next(5) == 0 ? -1f : 1f + random.Next(3);
                string item = random.Next(3) == 0 ? Data.Items.GetId(Data.ItemIndices[row]) : Data.Items.GetId(random.Next(Data.ItemCount));
                return new WeightedEvent(new Interaction(Data.Users.GetId(Data.UserIndices[row]), item, weight, DateTimeOffset.UnixEpoch, EventKind.View), weight, ++sequence);
            })];
            cached.Apply(events);
            rebuilt.Apply(events);
        }

        string[] items = [.. Enumerable.Range(0, Data.ItemCount).Select(Data.Items.GetId)];
        var expected = new float[items.Length];
        var actual = new float[items.Length];
        for (int u = 0; u < Data.UserCount; u++)
        {
            string user = Data.Users.GetId(u);
            rebuilt.Recommender.Score(user, items, expected);
            cached.Recommender.Score(user, items, actual);
            float scale = Math.Max(1e-3f, expected.Max(MathF.Abs));
            for (int i = 0; i < items.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * scale, $"user {user}, item {items[i]}: {actual[i]} vs {expected[i]}");
            }
        }
    }

    [Fact]
    public void CaptureThenRestore_ContinuesBitForBit_WithoutTheCache()
    {
        // Items updated every 50 events and Gram matrices refreshed every 60 changed rows: the saved Gram matrices,
        // pending items and counters all matter.
        var options = new LiveAlsOptions { ItemUpdates = ItemUpdatePolicy.EveryNEvents, ItemUpdateEvents = 50, GramRefreshUpdates = 60, ConfidenceCacheMegabytes = 0 };
        ImplicitAlsRecommender fitted = Fitted();
        var original = new LiveImplicitAls(fitted, options);
        var history = new EventHistory(Data);
        var random = new Random(3);
        long sequence = 0;
        WeightedEvent[] Batch() => [.. Enumerable.Range(0, 1 + random.Next(30)).Select(_ =>
            new WeightedEvent(Click(Data.Users.GetId(random.Next(Data.UserCount)), Data.Items.GetId(random.Next(Data.ItemCount))), 2f, ++sequence))];
        for (int b = 0; b < 20; b++)
        {
            WeightedEvent[] batch = Batch();
            original.Apply(batch);
            history.Append(batch);
        }

        LiveImplicitAls restored = LiveImplicitAls.TryRestore(history.Snapshot().Data, fitted.Trained.Options, options, original.CaptureState().Data)!;
        Assert.NotNull(restored);
        Assert.Equal(original.CaptureState().Data, restored.CaptureState().Data);
        for (int b = 0; b < 20; b++)
        {
            WeightedEvent[] batch = Batch();
            original.Apply(batch);
            restored.Apply(batch);
        }

        Assert.Equal(original.CaptureState().Data, restored.CaptureState().Data);
        Assert.Equal(original.Recommender.Recommend(Data.Users.GetId(5), 10), restored.Recommender.Recommend(Data.Users.GetId(5), 10));
        Assert.Null(LiveImplicitAls.TryRestore(history.Snapshot().Data, new ImplicitAlsOptions { Factors = 8 }, options, original.CaptureState().Data));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void TryRestore_StateWithANonFiniteFactorOrGramEntry_IsRefused(float poison)
    {
        ImplicitAlsRecommender fitted = Fitted();
        var original = new LiveImplicitAls(fitted, UsersOnly);
        byte[] state = original.CaptureState().Data;
        int k = fitted.Trained.Options.Factors;
        int userRows = BitConverter.ToInt32(state, 4);

        // The layout: a 36-byte header, the user and item Gram matrices (k² doubles each), the user then item factors.
        int userGram = 36, itemGram = userGram + (8 * k * k), users = itemGram + (8 * k * k), items = users + (4 * k * userRows);
        Assert.NotNull(LiveImplicitAls.TryRestore(Data, fitted.Trained.Options, UsersOnly, state));
        foreach ((int at, bool isDouble) in (ReadOnlySpan<(int, bool)>)[(userGram + 8, true), (itemGram, true), (users + 4, false), (items + (4 * k) + 12, false)])
        {
            byte[] damaged = (byte[])state.Clone();
            bool written = isDouble ? BitConverter.TryWriteBytes(damaged.AsSpan(at), (double)poison) : BitConverter.TryWriteBytes(damaged.AsSpan(at), poison);
            Assert.True(written);

            Assert.Null(LiveImplicitAls.TryRestore(Data, fitted.Trained.Options, UsersOnly, damaged));
        }
    }

    [Fact]
    public void CachedConfidenceTerms_StayAccurate_OverManyEventsOfFewUsers()
    {
        // Five active users clicking again and again among 20 items: tens of thousands of rank-one updates each.
        var model = new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 16, Iterations = 3, Values = MatrixValues.Weight, Alpha = 40, DegreeOfParallelism = 1 });
        model.Fit(Data);
        var cached = new LiveImplicitAls(model, new LiveAlsOptions { ItemUpdates = ItemUpdatePolicy.Never });
        var random = new Random(5);
        long sequence = 0;
        for (int batch = 0; batch < 400; batch++)
        {
            cached.Apply([.. Enumerable.Range(0, 100).Select(_ =>
                new WeightedEvent(Click(Data.Users.GetId(random.Next(5)), Data.Items.GetId(random.Next(20))), 1f, ++sequence))]);
        }

        // A model restored from the same state without a cache solves each user from scratch on the next event.
        var history = new EventHistory(Data);
        random = new Random(5);
        sequence = 0;
        for (int batch = 0; batch < 400; batch++)
        {
            WeightedEvent[] events = [.. Enumerable.Range(0, 100).Select(_ =>
                new WeightedEvent(Click(Data.Users.GetId(random.Next(5)), Data.Items.GetId(random.Next(20))), 1f, ++sequence))];
            history.Append(events);
        }

        LiveImplicitAls rebuilt = LiveImplicitAls.TryRestore(history.Snapshot().Data, model.Trained.Options, new LiveAlsOptions { ItemUpdates = ItemUpdatePolicy.Never, ConfidenceCacheMegabytes = 0 }, cached.CaptureState().Data)!;
        WeightedEvent[] last = [.. Enumerable.Range(0, 5).Select(u => new WeightedEvent(Click(Data.Users.GetId(u), Data.Items.GetId(0)), 1f, ++sequence))];
        cached.Apply(last);
        rebuilt.Apply(last);

        string[] items = [.. Enumerable.Range(0, 40).Select(Data.Items.GetId)];
        var expected = new float[items.Length];
        var actual = new float[items.Length];
        for (int u = 0; u < 5; u++)
        {
            rebuilt.Recommender.Score(Data.Users.GetId(u), items, expected);
            cached.Recommender.Score(Data.Users.GetId(u), items, actual);
            float scale = expected.Max(MathF.Abs);
            Assert.All(expected.Zip(actual), p => Assert.True(Math.Abs(p.First - p.Second) <= 1e-4f * scale, $"{p.Second} vs {p.First}"));
        }
    }
}
