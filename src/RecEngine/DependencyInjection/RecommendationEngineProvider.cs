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
    private readonly CancellationTokenSource _stopping = new();

    // The start a flow belongs to, set on the start's own flow (which the model factories and the StartFrom callback
    // run on): resolving the engine there while that start runs would wait for itself. Flows the start spawned keep
    // the value, so only an unfinished start counts.
    private readonly AsyncLocal<Task?> _startFlow = new();
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

    /// <summary>The engine, started by the first call; later calls share that start (a failed start is tried again).</summary>
    /// <param name="cancellationToken">Cancels this caller's wait only; the start goes on for the others.</param>
    /// <exception cref="OptionsValidationException">The engine's or a model's options are invalid; the message lists every problem.</exception>
    /// <exception cref="ObjectDisposedException">The engine has been stopped.</exception>
    /// <exception cref="InvalidOperationException">
    /// Called while the engine is being started, from a <see cref="RecEngineBuilder.StartFrom"/> callback or a model
    /// factory (which would wait for the start it is part of).
    /// </exception>
    /// <exception cref="IOException">The data directory is in use by another engine or cannot be opened.</exception>
    public Task<RecommendationEngine> GetEngineAsync(CancellationToken cancellationToken = default)
    {
        if (_startFlow.Value is { IsCompleted: false })
        {
            throw new InvalidOperationException(
                "The recommendation engine is being started: a StartFrom callback or a model factory cannot resolve the engine, IEventIngest or one of its IRecommenders.");
        }

        Task<RecommendationEngine> starting;
        TaskCompletionSource<RecommendationEngine>? mine = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (_starting is null || _starting.IsFaulted || _starting.IsCanceled)
            {
                mine = new TaskCompletionSource<RecommendationEngine>(TaskCreationOptions.RunContinuationsAsynchronously);
                _starting = mine.Task;
            }

            starting = _starting;
        }

        if (mine is not null)
        {
            // Outside the lock, on a flow of its own: user callbacks run there, and the start belongs to no caller.
            _ = Task.Run(() => RunStartAsync(mine), CancellationToken.None);
        }

        return starting.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Stops the engine gracefully: waits until every queued event is applied, writes a snapshot when the engine
    /// has a data directory (so the next start replays nothing), then disposes it; a start in progress is cancelled.
    /// When <paramref name="cancellationToken"/> fires first (the host's shutdown timeout), a warning (event id 1102)
    /// says how many events were still queued and the engine is disposed at once, which still applies them (so it
    /// can take longer); without a fresh snapshot, the next start replays the logged events the last snapshot
    /// lacks. A failed snapshot is logged (event id 1103), and the engine is disposed all the same.
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

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (starting is null)
        {
            return;
        }

        RecommendationEngine engine;
        try
        {
            engine = await starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return; // It never started (its start reported why), or stopping ran out of time while it was starting.
        }

        if (engine.IsDisposed)
        {
            return; // Disposed already (by the container, which disposes the engine before this provider): drained.
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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            ProviderLog.FinalSnapshotFailed(_logger, e);
        }
        finally
        {
            await engine.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops the engine (see <see cref="StopAsync"/>) without a time limit.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Stops the engine, blocking until it has stopped.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task RunStartAsync(TaskCompletionSource<RecommendationEngine> result)
    {
        _startFlow.Value = result.Task;
        try
        {
            result.TrySetResult(await StartAsync(_stopping.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException e)
        {
            result.TrySetCanceled(e.CancellationToken);
        }
        catch (Exception e)
        {
            result.TrySetException(e);
        }
    }

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
        RecommendationEngine engine = await RecommendationEngine.StartAsync(options, start, logger, _services.GetService<IMeterFactory>(), cancellationToken).ConfigureAwait(false);
        bool stopped;
        lock (_gate)
        {
            stopped = _stopped;
        }

        if (stopped)
        {
            // Stopped while starting, after the last cancellation check: nobody will stop this engine.
            await engine.DisposeAsync().ConfigureAwait(false);
            throw new OperationCanceledException("The engine was stopped while it was starting.", cancellationToken);
        }

        return engine;
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

    [LoggerMessage(EventId = 1103, Level = LogLevel.Error, Message = "The recommendation engine's final snapshot failed; the engine is disposed all the same, and the next start replays the logged events the last snapshot lacks.")]
    public static partial void FinalSnapshotFailed(ILogger logger, Exception exception);
}
