using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Persistence;
using RecEngine.Tests.Data.Loading;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.DependencyInjection;

/// <summary>
/// The hosted service's shutdown fallbacks in a real generic host with a data directory: when the host's shutdown
/// timeout runs out (event 1102) and when the final snapshot fails (event 1103), the host still stops and the next
/// start from the directory holds every accepted event.
/// </summary>
public sealed class HostedServiceShutdownTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<(InteractionDataset All, InteractionDataset Start, Interaction[] Events)> Stream = new(() => EventStreams.TimeOrdered(150, 120, 4_000));

    private static string EngineCategory => typeof(RecommendationEngine).FullName!;

    private static string ProviderCategory => typeof(RecommendationEngineProvider).FullName!;

    private static IHost NewHost(string directory, ListLoggerProvider logs, FsyncPolicy fsync = FsyncPolicy.PerBatch)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Information);

        builder.Services.AddRecEngine(engine => engine
            .AddImplicitAls("als", als =>
            {
                als.Factors = 8;
                als.Iterations = 2;
            })
            .AddPopularity()
            .StartFrom(_ => Stream.Value.Start)
            .ConfigureEngine(options =>
            {
                options.DataDirectory = directory;
                options.EventLog = new EventLogOptions { Fsync = fsync };
                options.Ingest.MaxBatchSize = 16;
            })
            .UseHostedService());
        return builder.Build();
    }

    /// <summary>Starts a host on <paramref name="directory"/> and checks it holds the starting interactions and exactly <paramref name="accepted"/> replayed events.</summary>
    private static async Task AssertRestartHoldsEveryAcceptedEvent(string directory, ListLoggerProvider logs, Interaction[] accepted)
    {
        using IHost host = NewHost(directory, logs);
        await host.StartAsync().WaitAsync(Timeout);
        RecommendationEngine engine = host.Services.GetRequiredService<RecommendationEngine>();

        Assert.Contains($"{accepted.Length} events replayed", logs[EngineCategory].Entries.Last(e => e.Id == 1000).Message, StringComparison.Ordinal);
        Assert.Equal(Stream.Value.Start.Count + accepted.Length, (await engine.SaveAsync(new MemoryStream())).Interactions);
        IRecommender popularity = host.Services.GetRequiredKeyedService<IRecommender>("popularity");
        Assert.All(accepted.Select(e => e.UserId).Distinct(), user => Assert.True(popularity.IsKnownUser(user), user));
        await host.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task ShutdownTimeoutRunningOut_Logs1102_DisposesTheEngineWhichAppliesTheQueue_AndTheNextStartReplaysEveryAcceptedEvent()
    {
        using var folder = new TempFolder();
        var logs = new ListLoggerProvider();
        Interaction[] events = Stream.Value.Events[..1_500];

        using (IHost host = NewHost(folder.Path, logs, fsync: FsyncPolicy.None))
        {
            await host.StartAsync().WaitAsync(Timeout);
            BatchSubmitResult submitted = await host.Services.GetRequiredService<IEventIngest>().SubmitAsync(events).AsTask().WaitAsync(Timeout);
            Assert.Equal(events.Length, submitted.Accepted);

            // No time left to stop in: the host links this token with its shutdown timeout, so the hosted service gets
            // the token it gets when that timeout has run out, fired before the drain begins. (A ShutdownTimeout of
            // zero would not do: the host then gives the hosted services a token that never fires.)
            await host.StopAsync(new CancellationToken(canceled: true)).WaitAsync(Timeout);

            Assert.False(host.Services.GetRequiredService<RecommendationEngineProvider>().IsStarted);
        }

        int[] provider = [.. logs[ProviderCategory].Entries.Select(e => e.Id)];
        Assert.Equal([1100, 1102], provider);
        Assert.Contains("events still queued", logs[ProviderCategory].Entries[1].Message, StringComparison.Ordinal);

        // Disposing applied (and logged) the whole queue, but no snapshot was written.
        Assert.Contains($"Engine stopped: {events.Length} events applied", logs[EngineCategory].Entries.Single(e => e.Id == 1005).Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs[EngineCategory].Entries, e => e.Id == 1006);
        Assert.Empty(SnapshotFile.List(folder.Path));

        await AssertRestartHoldsEveryAcceptedEvent(folder.Path, logs, events);
    }

    [Fact]
    public async Task AFinalSnapshotThatFails_Logs1103_TheHostStillStopsAndFreesTheDirectory_AndTheNextStartReplaysEveryAcceptedEvent()
    {
        using var folder = new TempFolder();
        var logs = new ListLoggerProvider();
        Interaction[] events = Stream.Value.Events[..400];

        using (IHost host = NewHost(folder.Path, logs))
        {
            await host.StartAsync().WaitAsync(Timeout);

            // Per-batch fsync: each submission completes once its event is logged and applied, so the final snapshot
            // is the one after event 400; a directory in the way of its file makes writing it fail.
            BatchSubmitResult submitted = await host.Services.GetRequiredService<IEventIngest>().SubmitAsync(events).AsTask().WaitAsync(Timeout);
            Assert.Equal(events.Length, submitted.Accepted);
            Directory.CreateDirectory(Path.Combine(folder.Path, $"snapshot-{events.Length:D20}.rsnp"));

            await host.StopAsync().WaitAsync(Timeout);

            Assert.False(host.Services.GetRequiredService<RecommendationEngineProvider>().IsStarted);
        }

        Assert.Equal([1100, 1103], logs[ProviderCategory].Entries.Select(e => e.Id));
        Assert.Contains("final snapshot failed", logs[ProviderCategory].Entries[1].Message, StringComparison.Ordinal);
        Assert.Contains($"Engine stopped: {events.Length} events applied", logs[EngineCategory].Entries.Single(e => e.Id == 1005).Message, StringComparison.Ordinal);
        Assert.Empty(SnapshotFile.List(folder.Path));

        // The next engine takes the directory (the lock was released) and replays the logged events.
        Directory.Delete(Path.Combine(folder.Path, $"snapshot-{events.Length:D20}.rsnp"));
        await AssertRestartHoldsEveryAcceptedEvent(folder.Path, logs, events);
        Assert.Equal([1100, 1103, 1100, 1101], logs[ProviderCategory].Entries.Select(e => e.Id));
    }
}
