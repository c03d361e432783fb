using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Models.Neural;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Models.Neural;

/// <summary>The neural scorer live in an engine: the online step follows users in real time.</summary>
public sealed class LiveNeuralTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<(InteractionDataset All, InteractionDataset Start, Interaction[] Events)> Stream = new(() => EventStreams.TimeOrdered(200, 120, 6_000));

    private static RecommendationEngineOptions Options(bool online)
    {
        var options = new RecommendationEngineOptions();
        options.Models.Add(EngineModel.Neural(
            new NeuralOptions { EmbeddingSize = 8, HiddenLayers = [16], Epochs = 3, DegreeOfParallelism = 2 },
            new NeuralOnlineOptions { Enabled = online }));
        return options;
    }

    private static Interaction Click(string user, string item) => new(user, item, 1f, DateTimeOffset.UtcNow, EventKind.Click);

    [Fact]
    public async Task WithTheOnlineStep_ANewUserIsPersonalisedAfterAFewClicks_AndWithoutItStaysOnTheFallback()
    {
        InteractionDataset all = Stream.Value.All;
        string[] clicked = [.. Enumerable.Range(0, 4).Select(i => all.Items.GetId(i * 7))];
        foreach (bool online in new[] { true, false })
        {
            await using RecommendationEngine engine = await RecommendationEngine.StartAsync(Options(online), Stream.Value.Start);
            IRecommender mlp = engine.Recommender;
            Assert.False(mlp.IsKnownUser("fresh"));
            IReadOnlyList<ScoredItem> fallback = mlp.Recommend("fresh", 10);

            await engine.SubmitAsync(clicked.Select(item => Click("fresh", item))).AsTask().WaitAsync(Timeout);
            await engine.FlushAsync().WaitAsync(Timeout);

            Assert.Equal(online, mlp.IsKnownUser("fresh"));
            IReadOnlyList<ScoredItem> after = mlp.Recommend("fresh", 10);
            Assert.DoesNotContain(after, r => clicked.Contains(r.ItemId));
            if (online)
            {
                Assert.NotEqual(fallback.Select(r => r.ItemId).Where(id => !clicked.Contains(id)).Take(5), after.Select(r => r.ItemId).Take(5));
            }
        }
    }

    [Fact]
    public async Task OneStep_RaisesTheScoreOfTheEventsPair_AndANegativeEventLowersIt()
    {
        InteractionDataset start = Stream.Value.Start;
        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(Options(online: true), start);
        IRecommender mlp = engine.Recommender;
        // The most active starting user: a user the network has seen (a ReLU network may give an unseen user's
        // random embedding a constant output, with no gradient to follow).
        string user = start.Users.GetId(start.UserIndices.ToArray().GroupBy(u => u).OrderByDescending(g => g.Count()).First().Key);
        string item = start.Items.GetId(50);
        var score = new float[1];

        mlp.Score(user, [item], score);
        float before = score[0];
        SubmitResult submitted = await engine.SubmitAsync(Click(user, item));
        Assert.True(submitted.Accepted, submitted.Reason.ToString());
        await engine.FlushAsync().WaitAsync(Timeout);
        mlp.Score(user, [item], score);
        float raised = score[0];

        // A negative value makes a negative weight: the pair becomes a negative example.
        Assert.True((await engine.SubmitAsync(new Interaction(user, item, -1f, DateTimeOffset.UtcNow, EventKind.Click))).Accepted);
        await engine.FlushAsync().WaitAsync(Timeout);
        mlp.Score(user, [item], score);

        Assert.True(raised > before, $"{before} -> {raised}, applied {engine.Counters.Applied}, user {user}, item {item}");
        Assert.True(score[0] < raised, $"{raised} -> {score[0]}");
    }

    /// <summary>Every user's top 10 with scores, and their scores of every item, from the engine's neural model.</summary>
    private static (IReadOnlyList<ScoredItem>[] Top, float[][] Scores) ServeEveryUser(RecommendationEngine engine, InteractionDataset all)
    {
        IRecommender mlp = engine.Recommender;
        string[] items = [.. Enumerable.Range(0, all.ItemCount).Select(all.Items.GetId)];
        var top = new IReadOnlyList<ScoredItem>[all.UserCount];
        var scores = new float[all.UserCount][];
        for (int u = 0; u < all.UserCount; u++)
        {
            string user = all.Users.GetId(u);
            top[u] = mlp.Recommend(user, 10);
            scores[u] = new float[items.Length];
            mlp.Score(user, items, scores[u]);
        }

        return (top, scores);
    }

    private static void AssertBitForBit((IReadOnlyList<ScoredItem>[] Top, float[][] Scores) expected, (IReadOnlyList<ScoredItem>[] Top, float[][] Scores) actual)
    {
        for (int u = 0; u < expected.Top.Length; u++)
        {
            Assert.Equal(expected.Top[u].Select(r => r.ItemId), actual.Top[u].Select(r => r.ItemId));
            Assert.Equal(expected.Top[u].Select(r => BitConverter.SingleToInt32Bits(r.Score)), actual.Top[u].Select(r => BitConverter.SingleToInt32Bits(r.Score)));
            Assert.Equal(expected.Scores[u].Select(BitConverter.SingleToInt32Bits), actual.Scores[u].Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public async Task SaveAndLoad_KeepsTheOnlineSteps_ServesEveryUserBitForBit_AndLaterEventsStepBothAlike()
    {
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream.Value;
        RecommendationEngineOptions options = Options(online: true);
        options.Ingest.MaxBatchSize = 64;
        int cut = events.Length / 2;
        await using RecommendationEngine original = await RecommendationEngine.StartAsync(options, start);
        (IReadOnlyList<ScoredItem>[] Top, float[][] Scores) trained = ServeEveryUser(original, all);
        await original.SubmitAsync(events[..cut]).AsTask().WaitAsync(Timeout);
        await original.FlushAsync().WaitAsync(Timeout);
        (IReadOnlyList<ScoredItem>[] Top, float[][] Scores) stepped = ServeEveryUser(original, all);

        // The online steps moved the starting users' scores: a load that retrained, or kept the trained embeddings,
        // would not serve what the engine serves now.
        Assert.Contains(Enumerable.Range(0, start.UserCount), u => !trained.Scores[u].SequenceEqual(stepped.Scores[u]));

        using var saved = new MemoryStream();
        await original.SaveAsync(saved).WaitAsync(Timeout);
        saved.Position = 0;
        var logger = new ListLogger();
        await using RecommendationEngine loaded = await RecommendationEngine.LoadAsync(saved, Options(online: true), logger).WaitAsync(Timeout);

        Assert.DoesNotContain(logger.Entries, e => e.Id == 1010);
        AssertBitForBit(stepped, ServeEveryUser(loaded, all));

        // The same later events, in other micro-batches: the steps (and the drawn negatives) follow the events alone.
        await original.SubmitAsync(events[cut..]).AsTask().WaitAsync(Timeout);
        await loaded.SubmitAsync(events[cut..]).AsTask().WaitAsync(Timeout);
        await Task.WhenAll(original.FlushAsync(), loaded.FlushAsync()).WaitAsync(Timeout);
        AssertBitForBit(ServeEveryUser(original, all), ServeEveryUser(loaded, all));
    }

    [Fact]
    public void TryRestore_RefusesNonFiniteValues_OtherShapesAndTruncatedStates()
    {
        InteractionDataset start = Stream.Value.Start;
        var options = new NeuralOptions { EmbeddingSize = 8, HiddenLayers = [16], Epochs = 1, DegreeOfParallelism = 1 };
        var fitted = new NeuralRecommender(options);
        fitted.Fit(start);
        byte[] state = new LiveNeural(fitted, null).CaptureState().Data;
        Assert.NotNull(LiveNeural.TryRestore(start, options, null, state));

        // The last item embedding value sits just before the generator's 8 bytes; the first network parameter after
        // the width (4), the product flag (1) and the layer widths (a count and three i32).
        foreach (int at in new[] { state.Length - 8 - 4, 4 + 1 + 4 + (3 * 4) + 4 })
        {
            foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            {
                byte[] poisoned = (byte[])state.Clone();
                BitConverter.TryWriteBytes(poisoned.AsSpan(at), bad);
                Assert.Null(LiveNeural.TryRestore(start, options, null, poisoned));
            }
        }

        Assert.Null(LiveNeural.TryRestore(start, new NeuralOptions { EmbeddingSize = 16, HiddenLayers = [16] }, null, state));
        Assert.Null(LiveNeural.TryRestore(start, new NeuralOptions { EmbeddingSize = 8, HiddenLayers = [32] }, null, state));
        Assert.Null(LiveNeural.TryRestore(start, options, null, state[..^1]));

        // A history with fewer users than the state has embeddings is not the one it was saved after.
        InteractionDataset fewer = EventStreams.TimeOrdered(20, 120, 600).Start;
        Assert.True(fewer.UserCount < start.UserCount);
        Assert.Null(LiveNeural.TryRestore(fewer, options, null, state));
    }
}
