using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Models.Popularity;
using RecEngine.Persistence;
using RecEngine.Tests.Data.Loading;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.DependencyInjection;

/// <summary>
/// Scheduled retrains and snapshots of an engine run by the hosted service in a real generic host, timed by the
/// container's <see cref="TimeProvider"/> (a fake clock the test advances): they happen without being called, and
/// stopping the host ends them.
/// </summary>
public sealed class HostedScheduleTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<(InteractionDataset All, InteractionDataset Start, Interaction[] Events)> Stream = new(() => EventStreams.TimeOrdered(120, 90, 2_000));

    private static string EngineCategory => typeof(RecommendationEngine).FullName!;

    private static IHost NewHost(TrackedTimeProvider clock, ListLoggerProvider logs, Action<RecEngineBuilder> configure)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Information);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddRecEngine(engine => configure(engine.UseHostedService()));
        return builder.Build();
    }

    private static void AssertSamePopularity(PopularityRecommender expected, IRecommender actual, InteractionDataset users)
    {
        for (int u = 0; u < users.UserCount; u += 7)
        {
            string user = users.Users.GetId(u);
            Assert.Equal(expected.Recommend(user, 10), actual.Recommend(user, 10));
        }
    }

    [Fact]
    public async Task RetrainInterval_RetrainsInTheRunningHost_OnTheContainersClock_AndStoppingTheHostEndsTheSchedule()
    {
        (InteractionDataset all, InteractionDataset start, Interaction[] events) = Stream.Value;
        var clock = new TrackedTimeProvider();
        var logs = new ListLoggerProvider();
        using IHost host = NewHost(clock, logs, engine => engine
            .AddPopularity("live")
            .AddModel("retrained", _ => new PopularityRecommender())
            .StartFrom(_ => start)
            .ConfigureEngine(options => options.RetrainInterval = TimeSpan.FromMinutes(30)));
        await host.StartAsync().WaitAsync(Timeout);
        RecommendationEngine engine = host.Services.GetRequiredService<RecommendationEngine>();
        IRecommender retrained = host.Services.GetRequiredKeyedService<IRecommender>("retrained");
        var onStart = new PopularityRecommender();
        onStart.Fit(start);
        var onAll = new PopularityRecommender();
        onAll.Fit(all);

        // The engine's one schedule is a timer of the container's clock.
        Assert.Equal(1, clock.ActiveTimers);
        BatchSubmitResult submitted = await host.Services.GetRequiredService<IEventIngest>().SubmitAsync(events).AsTask().WaitAsync(Timeout);
        Assert.Equal(events.Length, submitted.Accepted);
        await engine.FlushAsync().WaitAsync(Timeout);

        // Before the interval has passed: the retrained model still serves what it learnt at start.
        clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, clock.Ticks);
        AssertSamePopularity(onStart, retrained, all);
        Assert.DoesNotContain(logs[EngineCategory].Entries, e => e.Id == 1003);

        clock.Advance(TimeSpan.FromMinutes(1));
        await logs[EngineCategory].WaitForAsync(1003).WaitAsync(Timeout);

        Assert.Equal(1, clock.Ticks);
        AssertSamePopularity(onAll, retrained, all);
        Assert.Contains($"Retrained every model on {all.Count} interactions", logs[EngineCategory].Entries.Single(e => e.Id == 1003).Message, StringComparison.Ordinal);

        await host.StopAsync().WaitAsync(Timeout);

        // Stopped: the timer is disposed, so no tick reaches the schedule however far the clock moves.
        Assert.Equal(0, clock.ActiveTimers);
        int ticks = clock.Ticks;
        clock.Advance(TimeSpan.FromHours(5));
        Assert.Equal(ticks, clock.Ticks);
        Assert.Single(logs[EngineCategory].Entries, e => e.Id == 1003);
        Assert.Equal(1005, logs[EngineCategory].Entries[^1].Id);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => engine.RetrainAsync());
    }

    [Fact]
    public async Task SnapshotInterval_WritesTheEnginesStateIntoTheDataDirectory_WithoutARetrain_AndStoppingTheHostEndsTheSchedule()
    {
        (_, InteractionDataset start, Interaction[] events) = Stream.Value;
        using var folder = new TempFolder();
        var clock = new TrackedTimeProvider();
        var logs = new ListLoggerProvider();
        using IHost host = NewHost(clock, logs, engine => engine
            .AddPopularity()
            .AddItemKnn("similar", knn => knn.Neighbors = 10)
            .StartFrom(_ => start)
            .ConfigureEngine(options =>
            {
                options.DataDirectory = folder.Path;
                options.SnapshotInterval = TimeSpan.FromMinutes(10);
            }));
        await host.StartAsync().WaitAsync(Timeout);

        // With the default per-batch fsync, a submission completes once its event is logged and applied.
        BatchSubmitResult submitted = await host.Services.GetRequiredService<IEventIngest>().SubmitAsync(events[..300]).AsTask().WaitAsync(Timeout);
        Assert.Equal(300, submitted.Accepted);
        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(0, clock.Ticks);
        Assert.Empty(SnapshotFile.List(folder.Path));

        clock.Advance(TimeSpan.FromMinutes(1));
        await logs[EngineCategory].WaitForAsync(1006).WaitAsync(Timeout);

        (long sequence, string path) = Assert.Single(SnapshotFile.List(folder.Path));
        Assert.Equal(300, sequence);
        Assert.Equal(start.Count + 300, SnapshotFile.Read(path).History.Count);
        Assert.Contains($"Snapshot after event 300 written: {start.Count + 300} interactions", logs[EngineCategory].Entries.Single(e => e.Id == 1006).Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs[EngineCategory].Entries, e => e.Id == 1003);

        await host.StopAsync().WaitAsync(Timeout);

        Assert.Equal(0, clock.ActiveTimers);
        int ticks = clock.Ticks;
        int snapshots = logs[EngineCategory].Entries.Count(e => e.Id == 1006);
        clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(ticks, clock.Ticks);
        Assert.Equal(snapshots, logs[EngineCategory].Entries.Count(e => e.Id == 1006));
    }
}
