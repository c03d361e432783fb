using Microsoft.Extensions.Hosting;

namespace RecEngine.Hosting;

/// <summary>
/// Starts the engine with the host (so models train, or state is restored, before the application takes
/// requests, and invalid options stop the start-up) and stops it gracefully with the host: the queue is drained and,
/// with a data directory, a snapshot is written, within the host's shutdown timeout. While it runs, the engine
/// applies events on its own consumer and runs its scheduled retrains and snapshots.
/// </summary>
internal sealed class RecEngineHostedService(RecommendationEngineProvider provider) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => provider.GetEngineAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => provider.StopAsync(cancellationToken);
}
