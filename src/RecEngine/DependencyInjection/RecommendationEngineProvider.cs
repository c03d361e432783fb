using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace RecEngine;

/// <summary>
/// Starts the engine that <see cref="RecEngineServiceCollectionExtensions.AddRecEngine"/> registers, once, and stops
/// it gracefully. The hosted service of the <c>RecEngine.Hosting</c> package calls <see cref="GetEngineAsync"/> when
/// the host starts and <see cref="StopAsync"/> when it stops; without it, the engine starts when it is first
/// resolved (blocking that caller while the models train).
/// </summary>
/// <remarks>
/// Starting validates the options (an <see cref="OptionsValidationException"/> lists every problem), trains the
/// models on the interactions of <see cref="RecEngineBuilder.StartFrom"/> or restores them from the data directory,
/// and logs through <see cref="ILogger{RecommendationEngine}"/> (event ids 1000-1099) and this type's logger (ids
/// 1100-1199). A start that fails or is cancelled is tried again by the next call.
/// </remarks>
public sealed class RecommendationEngineProvider : IAsyncDisposable, IDisposable
{
    private readonly IServiceProvider _services;
    private readonly EngineRegistration _registration;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private Task<RecommendationEngine>? _starting;
    private bool _stopped;

    /// <summary>Created by dependency injection.</summary>
    /// <param name="services">The provider the engine's options, models, logger and meter factory come from.</param>
    public RecommendationEngineProvider(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        _services = services;
        _registration = services.GetRequiredService<EngineRegistration>();
        _logger = (ILogger?)services.GetService<ILogger<RecommendationEngineProvider>>() ?? NullLogger.Instance;
    }

    /// <summary>Whether the engine has started and has not been stopped.</summary>
    public bool IsStarted
    {
        get
        {
            lock (_gate)
            {
                return !_stopped && _starting is { IsCompletedSuccessfully: true };
            }
        }
    }

    /// <summary>The engine, started on the first call (later calls share that start).</summary>
    /// <param name="cancellationToken">Cancels this caller's wait; it cancels the start itself only for the call that began it.</param>
    /// <exception cref="OptionsValidationException">The engine's or a model's options are invalid; the message lists every problem.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been stopped.</exception>
    /// <exception cref="IOException">The data directory is in use by another engine or cannot be opened.</exception>
    public Task<RecommendationEngine> GetEngineAsync(CancellationToken cancellationToken = default)
    {
        Task<RecommendationEngine> starting;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (_starting is null || _starting.IsFaulted || _starting.IsCanceled)
            {
                _starting = StartAsync(cancellationToken);
            }

            starting = _starting;
        }

        return starting.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Stops the engine gracefully: waits until every queued event is applied, writes a snapshot when the engine
    /// has a data directory (so the next start replays nothing), then disposes it. When
    /// <paramref name="cancellationToken"/> fires first (the host's shutdown timeout), it stops waiting and disposes
    /// the engine, which still applies what is queued; without a fresh snapshot, the next start replays the logged
    /// events the last snapshot lacks. A warning (event id 1102) says how many were still queued.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        Task<RecommendationEngine>? starting;
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            starting = _starting;
        }

        if (starting is null)
        {
            return;
        }

        RecommendationEngine engine;
        try
        {
            engine = await starting.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return; // It never started; its start reported the error.
        }

        try
        {
            await engine.FlushAsync(cancellationToken).ConfigureAwait(false);
            SnapshotResult? snapshot = engine.DataDirectory is not null ? await engine.SnapshotAsync(cancellationToken).ConfigureAwait(false) : null;
            ProviderLog.Stopping(_logger, engine.Counters.Applied, snapshot?.Path ?? "none");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            ProviderLog.StopTimedOut(_logger, engine.Counters.QueueLength);
        }
        finally
        {
            await engine.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops the engine (see <see cref="StopAsync"/>) without a time limit.</summary>
    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>Stops the engine, blocking until it has stopped.</summary>
    public void Dispose() => StopAsync().GetAwaiter().GetResult();

    private async Task<RecommendationEngine> StartAsync(CancellationToken cancellationToken)
    {
        // Resolving the options runs the validators: every problem of the engine and of each model at once.
        RecommendationEngineOptions configured = _services.GetRequiredService<IOptions<RecommendationEngineOptions>>().Value;
        (RecommendationEngineOptions? options, List<string> failures) = _registration.Compose(configured, _services);
        if (options is null)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(RecommendationEngineOptions), failures);
        }

        ILogger logger = (ILogger?)_services.GetService<ILoggerFactory>()?.CreateLogger<RecommendationEngine>() ?? NullLogger.Instance;
        var start = _registration.Start?.Invoke(_services);
        ProviderLog.Starting(_logger, options.Models.Count, start?.Count ?? 0, options.DataDirectory ?? "none");
        return await RecommendationEngine.StartAsync(options, start, logger, _services.GetService<IMeterFactory>(), cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Log messages of <see cref="RecommendationEngineProvider"/>: event ids 1100-1199.</summary>
internal static partial class ProviderLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Starting the recommendation engine: {Models} models, {Interactions} starting interactions, data directory {DataDirectory}.")]
    public static partial void Starting(ILogger logger, int models, int interactions, string dataDirectory);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Stopping the recommendation engine: the queue is drained ({Applied} events applied in all); snapshot {Snapshot}.")]
    public static partial void Stopping(ILogger logger, long applied, string snapshot);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Shutdown time ran out before the recommendation engine's queue drained ({Queued} events still queued) or its snapshot was written; disposing it applies the queue, and the next start replays the logged events the last snapshot lacks.")]
    public static partial void StopTimedOut(ILogger logger, int queued);
}
