using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Models.Factorization;
using RecEngine.Persistence;
using RecEngine.Tests.Data.Loading;

namespace RecEngine.Tests.Reliability;

/// <summary>
/// Cases of the bad-input catalogue (docs/reliability.md) that no test of a single type covers: each gets its
/// documented result and leaves the engine's state as it was.
/// </summary>
public sealed class BadInputTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset At = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static RecommendationEngineOptions Options(string? directory = null)
    {
        var options = new RecommendationEngineOptions { DataDirectory = directory };
        options.Models.Add(EngineModel.ImplicitAls(new ImplicitAlsOptions { Factors = 4, Iterations = 2, Seed = 1 }));
        options.Models.Add(EngineModel.Popularity());
        return options;
    }

    private static async Task<InteractionDataset> History(RecommendationEngine engine)
    {
        using var stream = new MemoryStream();
        await engine.SaveAsync(stream).WaitAsync(Timeout);
        stream.Position = 0;
        return SnapshotFile.Read(stream, "test").History;
    }

    [Fact]
    public async Task EventsWithTimestampsOutOfOrder_AreAcceptedAndAppliedInSubmissionOrder_AndSurviveARestartSo()
    {
        using var folder = new TempFolder();
        string directory = Path.Combine(folder.Path, "engine");
        Interaction[] events =
        [
            new("u1", "i1", 1f, At, EventKind.Click),
            new("u1", "i2", 1f, At.AddDays(-30), EventKind.Click),
            new("u2", "i1", 1f, At.AddYears(-40), EventKind.View),
            new("u2", "i3", 1f, DateTimeOffset.UnixEpoch, EventKind.Purchase),
        ];
        await using (RecommendationEngine engine = await RecommendationEngine.StartAsync(Options(directory)).WaitAsync(Timeout))
        {
            BatchSubmitResult result = await engine.SubmitAsync(events).AsTask().WaitAsync(Timeout);
            Assert.Equal(events.Length, result.Accepted);
        }

        await using RecommendationEngine restarted = await RecommendationEngine.StartAsync(Options(directory)).WaitAsync(Timeout);
        InteractionDataset history = await History(restarted);
        Assert.Equal(events, Enumerable.Range(0, history.Count).Select(r => history[r]));
    }

    [Fact]
    public async Task RejectedEvents_OfEveryKind_LeaveTheEngineServingExactlyAsBefore()
    {
        InteractionDataset start = new InteractionDatasetBuilder()
            .Add("u1", "i1", 1f, At.ToUnixTimeMilliseconds(), EventKind.Click)
            .Add("u1", "i2", 1f, At.ToUnixTimeMilliseconds(), EventKind.Click)
            .Add("u2", "i2", 1f, At.ToUnixTimeMilliseconds(), EventKind.Click)
            .Add("u2", "i3", 1f, At.ToUnixTimeMilliseconds(), EventKind.Click)
            .Build();
        var options = Options();
        options.Ingest.MaxIdLength = 16;
        options.Ingest.AllowNegativeWeights = false;
        options.Ingest.MaxUsers = 2;
        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(options, start).WaitAsync(Timeout);
        IReadOnlyList<ScoredItem> before = engine.Recommender.Recommend("u1", 3);
        Interaction[] bad =
        [
            new(null!, "i1", 1f, At, EventKind.Click),
            new("", "i1", 1f, At, EventKind.Click),
            new("u1", "", 1f, At, EventKind.Click),
            new(new string('u', 100_000), "i1", 1f, At, EventKind.Click),
            new("u1", "i1\uD800", 1f, At, EventKind.Click),
            new("u1", "i3", float.NaN, At, EventKind.Click),
            new("u1", "i3", float.NegativeInfinity, At, EventKind.Click),
            new("u1", "i3", -1f, At, EventKind.Rating),
            new("u1", "i3", 1f, At, new EventKind("teleport")),
            new("u3", "i3", 1f, At, EventKind.Click),
        ];

        BatchSubmitResult result = await engine.SubmitAsync(bad).AsTask().WaitAsync(Timeout);
        await engine.FlushAsync().WaitAsync(Timeout);

        Assert.Equal(0, result.Accepted);
        Assert.Equal(
            [
                EventRejectionReason.EmptyUserId, EventRejectionReason.EmptyUserId, EventRejectionReason.EmptyItemId, EventRejectionReason.IdTooLong,
                EventRejectionReason.MalformedText, EventRejectionReason.NonFiniteValue, EventRejectionReason.NonFiniteValue,
                EventRejectionReason.NegativeWeight, EventRejectionReason.UnknownKind, EventRejectionReason.TooManyUsers,
            ],
            result.Rejections.Select(r => r.Reason));
        Assert.Equal(Enumerable.Range(0, bad.Length).Select(i => (long)i), result.Rejections.Select(r => r.Position));
        Assert.Equal(0, engine.Counters.Applied);
        Assert.Equal(before, engine.Recommender.Recommend("u1", 3));
        Assert.Equal(start.Count, (await History(engine)).Count);
    }

    [Fact]
    public async Task Recommend_OnAnEngine_BadArgumentsThrowNamingThem_UnknownIdsAreServed()
    {
        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(Options()).WaitAsync(Timeout);
        foreach (string model in engine.ModelNames)
        {
            IRecommender recommender = engine.GetRecommender(model);
            Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => recommender.Recommend("u", 0)).ParamName);
            Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => recommender.Recommend("u", -3)).ParamName);
            Assert.Equal("userId", Assert.Throws<ArgumentNullException>(() => recommender.Recommend(null!, 3)).ParamName);
            Assert.Equal("itemId", Assert.Throws<ArgumentNullException>(() => recommender.SimilarItems(null!, 3)).ParamName);
            Assert.Empty(recommender.Recommend(new string('x', 1_000_000), 5));
            Assert.Empty(recommender.SimilarItems("no-such-item", 5));
        }

        ArgumentException unknownModel = Assert.Throws<ArgumentException>(() => engine.GetRecommender("nope"));
        Assert.Contains("'nope'", unknownModel.Message, StringComparison.Ordinal);
    }
}
