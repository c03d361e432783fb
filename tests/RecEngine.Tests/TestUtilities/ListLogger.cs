using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RecEngine.Tests.TestUtilities;

/// <summary>Keeps every log entry with its event id and formatted message.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<(int Id, string Message)> _entries = new();
    private readonly Lock _gate = new();
    private readonly List<(int Id, int Count, TaskCompletionSource Seen)> _waiters = [];

    public (int Id, string Message)[] Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        _entries.Enqueue((eventId.Id, formatter(state, exception)));
        lock (_gate)
        {
            _waiters.RemoveAll(w => Signal(w.Id, w.Count, w.Seen));
        }
    }

    /// <summary>Completes once <paramref name="count"/> entries with event id <paramref name="id"/> have been logged (counting those logged already).</summary>
    public Task WaitForAsync(int id, int count = 1)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (!Signal(id, count, seen))
            {
                _waiters.Add((id, count, seen));
            }
        }

        return seen.Task;
    }

    private bool Signal(int id, int count, TaskCompletionSource seen)
    {
        if (_entries.Count(e => e.Id == id) < count)
        {
            return false;
        }

        seen.TrySetResult();
        return true;
    }
}

/// <summary>Hands one <see cref="ListLogger"/> per category to a logging pipeline, so tests see what a host's loggers write.</summary>
internal sealed class ListLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentDictionary<string, ListLogger> _loggers = new(StringComparer.Ordinal);

    /// <summary>The logger of <paramref name="category"/> (created empty if nothing was logged under it).</summary>
    public ListLogger this[string category] => _loggers.GetOrAdd(category, _ => new ListLogger());

    public ILogger CreateLogger(string categoryName) => this[categoryName];

    public void Dispose()
    {
    }
}
