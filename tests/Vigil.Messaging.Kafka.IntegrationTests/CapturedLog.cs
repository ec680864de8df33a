using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Vigil.Messaging.Kafka.IntegrationTests;

/// <summary>Keeps every line a consume loop logs, with its level, so a test can assert what an operator would read.</summary>
internal sealed class CapturedLog<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Text)> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue((logLevel, formatter(state, exception)));

    public IReadOnlyList<string> At(LogLevel level) => Lines.Where(l => l.Level == level).Select(l => l.Text).ToList();
}
