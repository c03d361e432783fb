using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Models.Factorization;
using RecEngine.Models.Neighborhood;
using RecEngine.Models.Popularity;
using RecEngine.Tests.Data.Loading;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Engine;

public sealed class RecommendationEngineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly NeighborhoodOptions Knn = new() { Neighbors = 10, Shrinkage = 2f };

    private static (InteractionDataset All, InteractionDataset Start, Interaction[] Events) Stream(int interactions = 6_000) =>
        EventStreams.TimeOrdered(200, 150, interactions);

    private static RecommendationEngineOptions Options(params EngineModel[] models)
    {
        var options = new RecommendationEngineOptions();
        foreach (EngineModel model in models)
        {
            options.Models.Add(model);
        }

        return options;
    }

    private static void AssertSameRecommendations(IRecommender expected, IRecommender actual, InteractionDataset users)
    {
        for (int u = 0; u < users.UserCount; u += 5)
        {
            string user = users.Users.GetId(u);
            Assert.Equal(expected.Recommend(user, 10), actual.Recommend(user, 10));
        }
    }

    [Fact]
    public async Task SubmittedEvents_AfterFlush_EveryModelServesTheStateOfAFitOnEverything()
    {
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();
        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(
            Options(EngineModel.ItemKnn(Knn), EngineModel.UserKnn(Knn), EngineModel.Popularity()), start);

        BatchSubmitResult submitted = await engine.SubmitAsync(events).AsTask().WaitAsync(Timeout);
        await engine.FlushAsync().WaitAsync(Timeout);

        Assert.Equal(events.Length, submitted.Accepted);
        Assert.Empty(submitted.Rejections);
        Assert.Equal(events.Length, engine.Counters.Applied);
        var itemKnn = new ItemKnnRecommender(Knn);
        itemKnn.Fit(all);
        var userKnn = new UserKnnRecommender(Knn);
        userKnn.Fit(all);
        var popularity = new PopularityRecommender();
        popularity.Fit(all);
        AssertSameRecommendations(itemKnn, engine.Recommender, all);
        AssertSameRecommendations(userKnn, engine.GetRecommender("user-knn"), all);
        AssertSameRecommendations(popularity, engine.GetRecommender("popularity"), all);
        Assert.Equal(["item-knn", "user-knn", "popularity"], engine.ModelNames);
    }

    [Fact]
    public async Task UserEvents_ChangeThatUsersAlsRecommendations_AndSeenItemsLeaveThem()
    {
        (_, InteractionDataset start, _) = Stream();
        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(
            Options(EngineModel.ImplicitAls(new ImplicitAlsOptions { Factors = 8, Iterations = 5, Seed = 3 })), start);
        string user = start.Users.GetId(0);
        IReadOnlyList<ScoredItem> before = engine.Recommender.Recommend(user, 5);

        foreach (ScoredItem item in before.Take(3))
        {
            Assert.True((await engine.SubmitAsync(new Interaction(user, item.ItemId, 1f, DateTimeOffset.UtcNow, EventKind.Purchase))).Accepted);
        }

        await engine.FlushAsync().WaitAsync(Timeout);
        IReadOnlyList<ScoredItem> after = engine.Recommender.Recommend(user, 5);
        Assert.Empty(after.Select(i => i.ItemId).Intersect(before.Take(3).Select(i => i.ItemId)));
        Assert.Equal(5, after.Count);

        // A user and an item nobody has seen before appear on their first event.
        Assert.False(engine.Recommender.IsKnownUser("newcomer"));
        await engine.SubmitAsync(new Interaction("newcomer", "brand-new-item", 1f, DateTimeOffset.UtcNow, EventKind.Click));
        await engine.SubmitAsync(new Interaction("newcomer", start.Items.GetId(1), 1f, DateTimeOffset.UtcNow, EventKind.Click));
        await engine.FlushAsync().WaitAsync(Timeout);
        Assert.True(engine.Recommender.IsKnownUser("newcomer"));
        Assert.DoesNotContain(engine.Recommender.Recommend("newcomer", 20), i => i.ItemId is "brand-new-item");
    }

    [Fact]
    public async Task EmptyStart_EveryModelKindStartsAndLearnsFromEvents()
    {
        RecommendationEngineOptions options = Options(
            EngineModel.ImplicitAls(new ImplicitAlsOptions { Factors = 4, Iterations = 2 }),
            EngineModel.Popularity(),
            EngineModel.ItemKnn(),
            EngineModel.UserKnn(),
            EngineModel.Content(),
            EngineModel.Retrained("static-popularity", () => new PopularityRecommender()));
        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(options);
        foreach (string name in engine.ModelNames)
        {
            Assert.Empty(engine.GetRecommender(name).Recommend("anyone", 5));
        }

        string[] items = ["a", "b", "c", "d"];
        for (int u = 0; u < 6; u++)
        {
            foreach (string item in items.Take(1 + (u % 4)))
            {
                await engine.SubmitAsync(new Interaction($"u{u}", item, 1f, DateTimeOffset.UnixEpoch.AddMinutes(u), EventKind.View));
            }
        }

        await engine.FlushAsync().WaitAsync(Timeout);
        Assert.Equal(["a", "b", "c", "d"], engine.GetRecommender("popularity").Recommend("stranger", 4).Select(i => i.ItemId));
        Assert.Equal(["c", "d"], engine.GetRecommender("item-knn").Recommend("u1", 2).Select(i => i.ItemId).Order());
        Assert.Empty(engine.GetRecommender("static-popularity").Recommend("stranger", 4));

        RetrainResult retrain = await engine.RetrainAsync().WaitAsync(Timeout);
        Assert.Equal(13, retrain.Trained);
        Assert.Equal(["a", "b", "c", "d"], engine.GetRecommender("static-popularity").Recommend("stranger", 4).Select(i => i.ItemId));
    }

    [Fact]
    public async Task Retrain_WhileEventsArrive_SwapsInModelsThatMissNoEvent()
    {
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream(12_000);
        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(
            Options(EngineModel.ItemKnn(Knn), EngineModel.Retrained("static-item-knn", () => new ItemKnnRecommender(Knn))),
            start);
        IRecommender served = engine.Recommender;

        int third = events.Length / 3;
        await engine.SubmitAsync(events[..third]);
        await engine.FlushAsync().WaitAsync(Timeout);
        Task<BatchSubmitResult> feeding = Task.Run(async () => await engine.SubmitAsync(events[third..]));
        RetrainResult first = await engine.RetrainAsync().WaitAsync(Timeout);
        await feeding.WaitAsync(Timeout);
        await engine.FlushAsync().WaitAsync(Timeout);
        RetrainResult second = await engine.RetrainAsync().WaitAsync(Timeout);

        Assert.InRange(first.Trained, start.Count + third, all.Count);
        Assert.Equal(all.Count, second.Trained);
        Assert.Equal(0, second.Reapplied);
        var fitted = new ItemKnnRecommender(Knn);
        fitted.Fit(all);

        // The instance handed out before the retrains serves the new models.
        Assert.Same(served, engine.Recommender);
        AssertSameRecommendations(fitted, served, all);
        AssertSameRecommendations(fitted, engine.GetRecommender("static-item-knn"), all);
    }

    [Fact]
    public async Task Retrain_ReappliesExactlyTheEventsThatArrivedDuringTraining()
    {
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();
        using var held = new HeldRetrain();
        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(
            Options(EngineModel.ItemKnn(Knn), EngineModel.Retrained("static-popularity", held.Create)), start);
        await engine.SubmitAsync(events[..1000]);
        await engine.FlushAsync().WaitAsync(Timeout);
        Task<RetrainResult> retrain = engine.RetrainAsync();
        Assert.True(await held.Training.WaitAsync(Timeout));
        await engine.SubmitAsync(events[1000..]);
        await engine.FlushAsync().WaitAsync(Timeout);
        held.Release.Release();
        RetrainResult result = await retrain.WaitAsync(Timeout);

        Assert.Equal(start.Count + 1000, result.Trained);
        Assert.Equal(events.Length - 1000, result.Reapplied);
        var fitted = new ItemKnnRecommender(Knn);
        fitted.Fit(all);
        AssertSameRecommendations(fitted, engine.Recommender, all);
    }

    [Fact]
    public async Task Dispose_WaitsForARetrainInFlight_WhichEndsCancelledWithoutSwapping()
    {
        (_, InteractionDataset start, _) = Stream();
        using var held = new HeldRetrain();
        RecommendationEngine engine = await RecommendationEngine.StartAsync(Options(EngineModel.Retrained("static", held.Create)), start);
        IRecommender before = ((EngineRecommender)engine.Recommender).Current;
        Task<RetrainResult> retrain = engine.RetrainAsync();
        Assert.True(await held.Training.WaitAsync(Timeout));
        Task disposing = engine.DisposeAsync().AsTask();
        await Task.Delay(200);
        Assert.False(disposing.IsCompleted);

        held.Release.Release();
        await disposing.WaitAsync(Timeout);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => retrain);
        Assert.Same(before, ((EngineRecommender)engine.Recommender).Current);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => engine.RetrainAsync());
    }

    [Fact]
    public void TrainingDecay_HalvesAWeightPerHalfLifeOfAge_FromTheNewestTimestampOrNow()
    {
        var builder = new InteractionDatasetBuilder();
        long hour = 3_600_000;
        builder.Add("u", "a", 1f, 0, EventKind.View).Add("u", "b", 1f, hour, EventKind.View).Add("v", "a", 1f, 3 * hour, EventKind.AddToCart);
        DateTimeOffset later = DateTimeOffset.FromUnixTimeMilliseconds(100 * hour);
        (InteractionDataset aged, TrainingDecay? decay) = TrainingDecay.Age(builder.Build(), TimeSpan.FromHours(1), later);

        Assert.Equal(new TrainingDecay(3 * hour, 3, hour), decay);
        Assert.Equal([0.125f, 0.25f, 4f], aged.Weights.ToArray());
        Assert.Equal([1f, 1f, 1f], aged.Values.ToArray());
        Assert.Null(TrainingDecay.Age(builder.Build(), null, later).Decay);

        // An event stamped after "now" does not age the others away: the reference is the current time.
        (InteractionDataset early, TrainingDecay? clamped) = TrainingDecay.Age(builder.Build(), TimeSpan.FromHours(1), DateTimeOffset.FromUnixTimeMilliseconds(2 * hour));
        Assert.Equal(2 * hour, clamped!.Value.ReferenceMilliseconds);
        Assert.Equal([0.25f, 0.5f, 4f], early.Weights.ToArray());
    }

    [Fact]
    public async Task HalfLife_AgesOldInteractions_AtTrainingAndAtEveryRetrain()
    {
        var builder = new InteractionDatasetBuilder();
        long day = 86_400_000;
        builder.Add("u1", "old", 1f, 0, EventKind.View).Add("u2", "old", 1f, 0, EventKind.View).Add("u3", "old", 1f, 0, EventKind.View);
        builder.Add("u4", "new", 1f, 10 * day, EventKind.View);
        InteractionDataset start = builder.Build();
        static IRecommender ByWeight() => new PopularityRecommender(new PopularityOptions { Values = MatrixValues.Weight });

        RecommendationEngineOptions plain = Options(EngineModel.Retrained("weighted", ByWeight));
        await using (RecommendationEngine engine = await RecommendationEngine.StartAsync(plain, start))
        {
            Assert.Equal(["old", "new"], engine.Recommender.Recommend("someone", 2).Select(i => i.ItemId));
        }

        RecommendationEngineOptions aged = Options(EngineModel.Retrained("weighted", ByWeight));
        aged.HalfLife = TimeSpan.FromDays(1);
        await using RecommendationEngine ageing = await RecommendationEngine.StartAsync(aged, start);
        Assert.Equal(["new", "old"], ageing.Recommender.Recommend("someone", 2).Select(i => i.ItemId));

        // Twenty days on, a little more for "old" outweighs the ten-day-old "new" once the retrain ages both.
        await ageing.SubmitAsync(new Interaction("u5", "old", 0.01f, DateTimeOffset.FromUnixTimeMilliseconds(20 * day), EventKind.View));
        await ageing.FlushAsync();
        await ageing.RetrainAsync();
        Assert.Equal(["old", "new"], ageing.Recommender.Recommend("someone", 2).Select(i => i.ItemId));
    }

    [Fact]
    public async Task ScheduledRetrain_BringsEventsToARetrainedModel_AndIsLogged()
    {
        var logger = new ListLogger();
        RecommendationEngineOptions options = Options(EngineModel.Retrained("static-popularity", () => new PopularityRecommender()));
        options.RetrainInterval = TimeSpan.FromSeconds(1);
        await using (RecommendationEngine engine = await RecommendationEngine.StartAsync(options, logger: logger))
        {
            await engine.SubmitAsync(new Interaction("u", "i", 1f, DateTimeOffset.UtcNow, EventKind.View));
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!engine.Recommender.IsKnownUser("u") && waited.Elapsed < Timeout)
            {
                await Task.Delay(50);
            }

            Assert.True(engine.Recommender.IsKnownUser("u"));
        }

        int[] ids = [.. logger.Entries.Select(e => e.Id)];
        Assert.Equal(1000, ids[0]);
        Assert.Contains(1003, ids);
        Assert.Equal(1005, ids[^1]);
        Assert.Contains("1 events applied", logger.Entries[^1].Message);
    }

    [Fact]
    public async Task Restart_ReplaysTheEventLog_ToTheSameRecommendations()
    {
        using var folder = new TempFolder();
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream();
        RecommendationEngineOptions options = Options(EngineModel.ItemKnn(Knn), EngineModel.Popularity());
        options.DataDirectory = folder.Path;
        options.Ingest.MaxBatchSize = 64;
        await using (RecommendationEngine engine = await RecommendationEngine.StartAsync(options, start))
        {
            // Acknowledged (logged and applied) when the submission completes: no flush.
            Assert.Equal(events.Length, (await engine.SubmitAsync(events).AsTask().WaitAsync(Timeout)).Accepted);
        }

        RecommendationEngine restarted = await RecommendationEngine.StartAsync(options, start);
        var fitted = new ItemKnnRecommender(Knn);
        fitted.Fit(all);
        AssertSameRecommendations(fitted, restarted.Recommender, all);
        Assert.Equal(0, restarted.Counters.Applied);

        // Numbering goes on after the log: a later restart replays old and new events once each.
        await restarted.SubmitAsync(new Interaction("late", all.Items.GetId(0), 1f, DateTimeOffset.UtcNow, EventKind.Click));
        await restarted.DisposeAsync();
        await using RecommendationEngine third = await RecommendationEngine.StartAsync(options, start);
        Assert.True(third.Recommender.IsKnownUser("late"));
        AssertSameRecommendations(restarted.Recommender, third.Recommender, all);
    }

    [Fact]
    public async Task InvalidEvents_AreRejectedWithTheirReason_AndNeverApplied()
    {
        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(Options(EngineModel.Popularity()));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        Interaction[] events =
        [
            new("u", "i", 1f, now, EventKind.View),
            new("", "i", 1f, now, EventKind.View),
            new("u", "i", float.NaN, now, EventKind.Rating),
            new("u", "i", 1f, now, new EventKind("teleport")),
            new("u", new string('x', 300), 1f, now, EventKind.View),
        ];
        BatchSubmitResult result = await engine.SubmitAsync(events);
        await engine.FlushAsync().WaitAsync(Timeout);

        Assert.Equal(1, result.Accepted);
        Assert.Equal(
            [new Rejection(1, EventRejectionReason.EmptyUserId), new Rejection(2, EventRejectionReason.NonFiniteValue), new Rejection(3, EventRejectionReason.UnknownKind), new Rejection(4, EventRejectionReason.IdTooLong)],
            result.Rejections);
        Assert.Equal(4, engine.Counters.Rejected);
        Assert.Equal(["i"], engine.Recommender.Recommend("someone", 5).Select(i => i.ItemId));
    }

    [Fact]
    public async Task Options_AreValidatedWithMessagesNamingTheProblem()
    {
        var none = new RecommendationEngineOptions();
        Assert.Contains("at least one model", (await Assert.ThrowsAsync<ArgumentException>(() => RecommendationEngine.StartAsync(none))).Message);

        RecommendationEngineOptions twice = Options(EngineModel.Popularity(), EngineModel.ItemKnn(name: "popularity"));
        Assert.Contains("'popularity'", (await Assert.ThrowsAsync<ArgumentException>(() => RecommendationEngine.StartAsync(twice))).Message);

        RecommendationEngineOptions badDefault = Options(EngineModel.Popularity());
        badDefault.DefaultModel = "als";
        Assert.Equal("DefaultModel", (await Assert.ThrowsAsync<ArgumentException>(() => RecommendationEngine.StartAsync(badDefault))).ParamName);

        RecommendationEngineOptions badQueue = Options(EngineModel.Popularity());
        badQueue.Ingest.QueueCapacity = 0;
        Assert.Equal("QueueCapacity", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => RecommendationEngine.StartAsync(badQueue))).ParamName);

        Assert.Throws<NotSupportedException>(() => EngineModel.ItemKnn(new NeighborhoodOptions { Weighting = NeighborWeighting.Bm25 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => EngineModel.ImplicitAls(live: new LiveAlsOptions { ItemUpdateEvents = 0 }));

        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(Options(EngineModel.Popularity()));
        Assert.Contains("popularity", Assert.Throws<ArgumentException>(() => engine.GetRecommender("als")).Message);
        Assert.Throws<NotSupportedException>(() => engine.Recommender.Fit(new InteractionDatasetBuilder().Build()));
    }

    [Fact]
    public async Task ReadersOnTwoThreads_GetValidResults_WhileEventsAndARetrainAreApplied()
    {
        (_, InteractionDataset start, Interaction[] events) = Stream(12_000);
        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(
            Options(EngineModel.ImplicitAls(new ImplicitAlsOptions { Factors = 8, Iterations = 3, Seed = 1 }), EngineModel.ItemKnn(Knn)), start);
        using var done = new CancellationTokenSource();
        var problems = new ConcurrentQueue<string>();
        long reads = 0;
        Task[] readers = [.. Enumerable.Range(0, 2).Select(r => Task.Factory.StartNew(() =>
        {
            var buffer = new ScoredItem[10];
            for (int i = 0; !done.IsCancellationRequested; i++)
            {
                IRecommender model = engine.GetRecommender(engine.ModelNames[(i + r) % 2]);
                // Heavy users of the small catalogue have seen every item: fewer results are right for them, the stranger always gets ten.
                string user = i % 5 == 0 ? "stranger" : start.Users.GetId(i % start.UserCount);
                int count = model.Recommend(user, buffer);
                ScoredItem[] result = buffer[..count];
                if ((user == "stranger" && count != buffer.Length) || result.DistinctBy(s => s.ItemId).Count() != count || result.Any(s => !float.IsFinite(s.Score))
                    || result.Zip(result.Skip(1)).Any(p => p.First.Score < p.Second.Score))
                {
                    problems.Enqueue($"{model.Name}, {user}: {count} items, {string.Join(' ', result.Select(s => s.Score))}");
                }

                Interlocked.Increment(ref reads);
            }
        }, TaskCreationOptions.LongRunning))];

        Task<BatchSubmitResult> feeding = engine.SubmitAsync(events).AsTask();
        await engine.RetrainAsync().WaitAsync(Timeout);
        await feeding.WaitAsync(Timeout);
        await engine.FlushAsync().WaitAsync(Timeout);
        await done.CancelAsync();
        await Task.WhenAll(readers).WaitAsync(Timeout);

        Assert.Empty(problems);
        Assert.True(Interlocked.Read(ref reads) > 0);
        Assert.Equal(events.Length, engine.Counters.Applied);
    }

    [Fact]
    public async Task RecommendCalls_AreMeasuredPerModel()
    {
        using var factory = new ScopedMeterFactory();
        var measured = new ConcurrentQueue<(string Instrument, object? Model)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
        {
            object? model = null;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                model = tag.Key == "model" ? tag.Value : model;
            }

            measured.Enqueue((instrument.Name, model));
        });
        listener.Start();

        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(Options(EngineModel.Popularity(name: "top")), meterFactory: factory);
        await engine.SubmitAsync(new Interaction("u", "i", 1f, DateTimeOffset.UtcNow, EventKind.View));
        await engine.FlushAsync().WaitAsync(Timeout);
        engine.Recommender.Recommend("u", 3);
        engine.Recommender.Recommend("v", new ScoredItem[3]);
        await engine.RetrainAsync();

        Assert.Equal(2, measured.Count(m => m.Instrument == "recengine.recommend.duration" && (string?)m.Model == "top"));
        Assert.Single(measured, m => m.Instrument == "recengine.retrain.duration");
        Assert.Contains(measured, m => m.Instrument == "recengine.ingest.visible.latency");
    }

    [Fact]
    public async Task Calls_StartRetrainAndSave_AreTracedAsActivities_ChildrenOfTheCallersActivity()
    {
        // Activity listeners are process-wide: this test's engine has a model name no other test uses.
        const string model = "traced-top";
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RecEngineDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var caller = new ActivitySource("RecEngine.Tests.Caller");
        using var callerListener = new ActivityListener
        {
            ShouldListenTo = source => source == caller,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(callerListener);

        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(Options(EngineModel.Popularity(name: model)));
        await engine.SubmitAsync(new Interaction("u", "i", 1f, DateTimeOffset.UtcNow, EventKind.View));
        await engine.FlushAsync().WaitAsync(Timeout);
        using (Activity? request = caller.StartActivity("request"))
        {
            engine.Recommender.Recommend("u", 3);
            engine.Recommender.SimilarItems("i", 2);
            Activity recommend = Assert.Single(stopped, a => a.OperationName == "recengine.recommend" && (string?)a.GetTagItem("recengine.model") == model);
            Assert.Equal(request!.SpanId, recommend.ParentSpanId);
            Assert.Equal(3, recommend.GetTagItem("recengine.count"));
            Assert.Single(stopped, a => a.OperationName == "recengine.similar" && (string?)a.GetTagItem("recengine.model") == model);
        }

        await engine.RetrainAsync();
        await engine.SaveAsync(new MemoryStream());

        Assert.Contains(stopped, a => a.OperationName == "recengine.retrain" && (string?)a.GetTagItem("recengine.outcome") == "completed");
        Assert.Contains(stopped, a => a.OperationName == "recengine.save" && a.GetTagItem("recengine.interactions") is 1);
        Assert.Contains(stopped, a => a.OperationName == "recengine.start");
    }

    /// <summary>
    /// A model factory for <see cref="EngineModel.Retrained"/> whose second call (the first retrain; the first is the
    /// start) signals <see cref="Training"/> and waits for <see cref="Release"/>: a retrain held in its training.
    /// </summary>
    private sealed class HeldRetrain : IDisposable
    {
        private int _calls;

        public SemaphoreSlim Training { get; } = new(0);

        public SemaphoreSlim Release { get; } = new(0);

        public PopularityRecommender Create()
        {
            if (Interlocked.Increment(ref _calls) == 2)
            {
                Training.Release();
                Assert.True(Release.Wait(Timeout));
            }

            return new PopularityRecommender();
        }

        public void Dispose()
        {
            Training.Dispose();
            Release.Dispose();
        }
    }

    /// <summary>An <see cref="IMeterFactory"/> whose meters carry it as their scope, so a listener picks exactly them.</summary>
    private sealed class ScopedMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
