using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Models.Factorization;
using RecEngine.Models.Neural;
using RecEngine.Tests.Data.Loading;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.DependencyInjection;

/// <summary>RecEngine in a real service provider and a real generic host.</summary>
public sealed class AddRecEngineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<(InteractionDataset All, InteractionDataset Start, Interaction[] Events)> Stream = new(() => EventStreams.TimeOrdered(150, 120, 4_000));

    private static RecEngineBuilder Models(RecEngineBuilder engine) => engine
        .AddImplicitAls("als", als =>
        {
            als.Factors = 8;
            als.Iterations = 3;
        })
        .AddItemKnn("similar", knn => knn.Neighbors = 10)
        .AddPopularity()
        .StartFrom(_ => Stream.Value.Start);

    [Fact]
    public async Task TheProvider_ResolvesTheEngine_ItsDefaultAndNamedModels_AndTheIngestApi_AsOneEngine()
    {
        await using ServiceProvider services = new ServiceCollection().AddRecEngine(engine => Models(engine)).BuildServiceProvider();

        RecommendationEngine engine = services.GetRequiredService<RecommendationEngine>();

        Assert.Same(engine, services.GetRequiredService<IEventIngest>());
        Assert.Same(engine.Recommender, services.GetRequiredService<IRecommender>());
        Assert.Equal("als", services.GetRequiredService<IRecommender>().Name);
        Assert.Same(engine.GetRecommender("similar"), services.GetRequiredKeyedService<IRecommender>("similar"));
        Assert.Same(engine.GetRecommender("popularity"), services.GetRequiredKeyedService<IRecommender>("popularity"));
        Assert.Null(services.GetKeyedService<IRecommender>("no-such-model"));
        Assert.Equal(["als", "similar", "popularity"], engine.ModelNames);
        Assert.Equal(Stream.Value.Start.Count, (await engine.SaveAsync(new MemoryStream())).Interactions);
    }

    [Fact]
    public async Task EventsSubmittedThroughTheIngestApi_ChangeWhatTheInjectedRecommendersServe()
    {
        await using ServiceProvider services = new ServiceCollection().AddRecEngine(engine => Models(engine)).BuildServiceProvider();
        IEventIngest ingest = services.GetRequiredService<IEventIngest>();
        IRecommender als = services.GetRequiredService<IRecommender>();
        IRecommender similar = services.GetRequiredKeyedService<IRecommender>("similar");
        InteractionDataset all = Stream.Value.All;
        string[] clicked = [.. Enumerable.Range(0, 5).Select(all.Items.GetId)];
        Assert.False(als.IsKnownUser("newcomer"));
        IReadOnlyList<ScoredItem> before = als.Recommend("newcomer", 10);

        foreach (string item in clicked)
        {
            Assert.True((await ingest.SubmitAsync(new Interaction("newcomer", item, 1f, DateTimeOffset.UtcNow, EventKind.Click))).Accepted);
        }

        await ingest.FlushAsync().WaitAsync(Timeout);

        Assert.True(als.IsKnownUser("newcomer"));
        IReadOnlyList<ScoredItem> after = als.Recommend("newcomer", 10);
        Assert.NotEqual(before.Select(i => i.ItemId), after.Select(i => i.ItemId));
        Assert.DoesNotContain(after, i => clicked.Contains(i.ItemId));
        Assert.True(similar.IsKnownUser("newcomer"));
        Assert.Equal(5, ingest.Counters.Applied);
    }

    [Fact]
    public async Task InvalidEngineOrModelOptions_FailTheHostStart_WithEveryProblemNamed()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Services.AddRecEngine(engine => engine
            .AddImplicitAls("als", als => als.Factors = 0)
            .AddItemKnn("similar", knn => knn.Neighbors = -3)
            .ConfigureEngine(options => options.SnapshotsToKeep = 0));
        using IHost host = builder.Build();

        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Model 'als': Factors must be in [1, 1024]. (Parameter 'Factors') Actual value was 0.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Model 'similar'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Neighbors", error.Message, StringComparison.Ordinal);
        Assert.Contains("SnapshotsToKeep", error.Message, StringComparison.Ordinal);
        Assert.False(host.Services.GetRequiredService<RecommendationEngineProvider>().IsStarted);
    }

    [Fact]
    public async Task ExplicitAls_IsAddedAsARetrainedModel_AndItsOptionsAreValidatedWithTheRest()
    {
        await using (ServiceProvider services = new ServiceCollection()
            .AddRecEngine(engine => engine.AddPopularity().AddExplicitAls("stars", als => als.Factors = 4).StartFrom(_ => Stream.Value.Start))
            .BuildServiceProvider())
        {
            IRecommender stars = services.GetRequiredKeyedService<IRecommender>("stars");
            Assert.Equal(10, stars.Recommend(Stream.Value.Start.Users.GetId(1), 10).Count);
        }

        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Services.AddRecEngine(engine => engine.AddExplicitAls("stars", als => als.Iterations = -1));
        using IHost host = builder.Build();
        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Model 'stars'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Iterations", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheNeuralScorer_TheReranker_AndTheHybrid_AreAddedByName_AndTheirOptionsValidated()
    {
        static void Small(NeuralOptions neural)
        {
            neural.EmbeddingSize = 8;
            neural.HiddenLayers = [8];
            neural.Epochs = 1;
        }

        await using (ServiceProvider services = new ServiceCollection()
            .AddRecEngine(engine => engine
                .AddPopularity()
                .AddNeural("mlp", Small)
                .AddReranker("rerank", als => als.Factors = 8, Small, candidateCount: 20)
                .AddHybrid("hybrid", als => als.Factors = 8, Small, hybrid => hybrid.WeightStep = 0.5)
                .StartFrom(_ => Stream.Value.Start))
            .BuildServiceProvider())
        {
            string user = Stream.Value.Start.Users.GetId(2);
            Assert.Equal(10, services.GetRequiredKeyedService<IRecommender>("mlp").Recommend(user, 10).Count);
            Assert.Equal(10, services.GetRequiredKeyedService<IRecommender>("rerank").Recommend(user, 10).Count);
            Assert.Equal(10, services.GetRequiredKeyedService<IRecommender>("hybrid").Recommend(user, 10).Count);
        }

        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Services.AddRecEngine(engine => engine
            .AddNeural("mlp", neural => neural.HiddenLayers = [])
            .AddHybrid("hybrid", configure: hybrid => hybrid.WeightStep = 0.3));
        using IHost host = builder.Build();
        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("Model 'mlp': HiddenLayers", error.Message, StringComparison.Ordinal);
        Assert.Contains("Model 'hybrid': WeightStep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoModelsWithOneName_AreRefusedAtStartUp()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Services.AddRecEngine(engine => engine.AddPopularity("top").AddItemKnn("top"));
        using IHost host = builder.Build();

        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Two models are named 'top'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryProblemWithNamesAndSettings_AndAnUnsupportedModelOption_AreReportedTogether()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Services.AddRecEngine(engine => engine
            .AddPopularity("top")
            .AddItemKnn("top")
            .AddUserKnn("people", knn => knn.NormalizeSimilarities = true)
            .ConfigureEngine(options =>
            {
                options.DefaultModel = "nope";
                options.SnapshotsToKeep = 0;
            }));
        using IHost host = builder.Build();

        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Two models are named 'top'", error.Message, StringComparison.Ordinal);
        Assert.Contains("DefaultModel 'nope'", error.Message, StringComparison.Ordinal);
        Assert.Contains("SnapshotsToKeep", error.Message, StringComparison.Ordinal);
        Assert.Contains("Model 'people'", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, error.Failures.Count());
    }

    [Fact]
    public async Task ResolvingTheEngineWhileItStarts_FailsTheStartClearly_InsteadOfWaitingForItself()
    {
        await using ServiceProvider services = new ServiceCollection()
            .AddRecEngine(engine => engine
                .AddPopularity()
                .StartFrom(provider =>
                {
                    provider.GetRequiredService<IEventIngest>();
                    return Stream.Value.Start;
                }))
            .BuildServiceProvider();
        RecommendationEngineProvider provider = services.GetRequiredService<RecommendationEngineProvider>();

        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => provider.GetEngineAsync().WaitAsync(Timeout));

        Assert.Contains("is being started", error.Message, StringComparison.Ordinal);
        Assert.False(provider.IsStarted);
    }

    [Fact]
    public async Task ACallerThatStopsWaiting_DoesNotCancelTheStartForOthers_AndAContainerDisposedWithoutAHostStopsCleanly()
    {
        ServiceProvider services = new ServiceCollection().AddRecEngine(engine => Models(engine)).BuildServiceProvider();
        RecommendationEngineProvider provider = services.GetRequiredService<RecommendationEngineProvider>();
        using var impatient = new CancellationTokenSource();
        Task<RecommendationEngine> first = provider.GetEngineAsync(impatient.Token);
        await impatient.CancelAsync();

        RecommendationEngine engine = await provider.GetEngineAsync().WaitAsync(Timeout);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.True(provider.IsStarted);
        Assert.Same(engine, services.GetRequiredService<RecommendationEngine>());
        await engine.SubmitAsync(new Interaction("late", Stream.Value.All.Items.GetId(0), 1f, DateTimeOffset.UtcNow, EventKind.Click));

        // The container disposes the engine (created after the provider) first; the provider then has nothing to do.
        await services.DisposeAsync();
        Assert.Equal(1, engine.Counters.Applied);
        Assert.False(provider.IsStarted);
    }

    [Fact]
    public void AddRecEngineTwice_IsRefused()
    {
        var services = new ServiceCollection().AddRecEngine(engine => engine.AddPopularity());
        Assert.Throws<InvalidOperationException>(() => services.AddRecEngine(engine => engine.AddPopularity()));
        Assert.Throws<ArgumentNullException>(() => services.AddRecEngine(null!));
    }

    [Fact]
    public async Task TheHostedService_StartsTheEngineWithTheHost_AndOnStopDrainsTheQueueAndWritesASnapshot()
    {
        using var folder = new TempFolder();
        (InteractionDataset _, InteractionDataset start, Interaction[] events) = Stream.Value;
        var logs = new ListLoggerProvider();
        IHost NewHost()
        {
            HostApplicationBuilder builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Information);
            builder.Services.AddRecEngine(engine => Models(engine)
                .ConfigureEngine(options =>
                {
                    options.DataDirectory = folder.Path;

                    // Submissions only queue (no per-batch acknowledgement), so stopping has a queue to drain.
                    options.EventLog = new EventLogOptions { Fsync = FsyncPolicy.None };
                    options.Ingest.MaxBatchSize = 16;
                })
                .UseHostedService());
            return builder.Build();
        }

        using (IHost host = NewHost())
        {
            await host.StartAsync().WaitAsync(Timeout);
            Assert.True(host.Services.GetRequiredService<RecommendationEngineProvider>().IsStarted);
            IEventIngest ingest = host.Services.GetRequiredService<IEventIngest>();
            BatchSubmitResult submitted = await ingest.SubmitAsync(events[..2_000]).AsTask().WaitAsync(Timeout);
            Assert.Equal(2_000, submitted.Accepted);

            await host.StopAsync().WaitAsync(Timeout);

            Assert.Equal(2_000, ingest.Counters.Applied);
            Assert.False(host.Services.GetRequiredService<RecommendationEngineProvider>().IsStarted);
        }

        Assert.Single(Directory.GetFiles(folder.Path, "snapshot-*.rsnp"));
        (int Id, string Message)[] provider = logs[typeof(RecommendationEngineProvider).FullName!].Entries;
        Assert.Equal([1100, 1101], provider.Select(e => e.Id));
        Assert.Contains("2000 events applied", provider[1].Message, StringComparison.Ordinal);
        (int Id, string Message)[] engineLog = logs[typeof(RecommendationEngine).FullName!].Entries;
        Assert.Contains(engineLog, e => e.Id == 1000);

        // The next host starts from the snapshot, with nothing left to replay.
        using (IHost host = NewHost())
        {
            await host.StartAsync().WaitAsync(Timeout);
            RecommendationEngine engine = host.Services.GetRequiredService<RecommendationEngine>();
            Assert.Equal(start.Count + 2_000, (await engine.SaveAsync(new MemoryStream())).Interactions);
            Assert.Contains("0 events replayed", logs[typeof(RecommendationEngine).FullName!].Entries.Last(e => e.Id == 1000).Message, StringComparison.Ordinal);
            await host.StopAsync().WaitAsync(Timeout);
        }
    }

    [Fact]
    public async Task AModelAddedFromTheServiceProvider_IsCreatedFromIt_AndRetrainedByTheEngine()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new ExplicitAlsOptions { Factors = 4, Iterations = 2 });
        services.AddRecEngine(engine => engine
            .AddPopularity()
            .AddModel("ratings", provider => new ExplicitAlsRecommender(provider.GetRequiredService<ExplicitAlsOptions>()))
            .StartFrom(_ => Stream.Value.Start));
        await using ServiceProvider provider = services.BuildServiceProvider();

        IRecommender ratings = provider.GetRequiredKeyedService<IRecommender>("ratings");

        Assert.True(ratings.IsFitted);
        Assert.Equal(10, ratings.Recommend(Stream.Value.Start.Users.GetId(0), 10).Count);
    }
}
