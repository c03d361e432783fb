using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RecEngine.Tests.TestUtilities;

/// <summary>Keeps every log entry with its event id and formatted message.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<(int Id, string Message)> _entries = new();

    public (int Id, string Message)[] Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((eventId.Id, formatter(state, exception)));
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
