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
