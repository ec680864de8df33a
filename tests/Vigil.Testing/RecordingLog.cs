using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Vigil.Testing;

/// <summary>
/// Keeps every message logged through it at <paramref name="minimumLevel"/> or above, formatted, in order: as the
/// logger factory handed to a component, or as a provider added to a host's logging.
/// </summary>
public sealed class RecordingLog(LogLevel minimumLevel = LogLevel.Trace) : ILoggerFactory, ILoggerProvider, ILogger
{
    private readonly ConcurrentQueue<string> lines = new();

    /// <summary>The messages logged so far, oldest first.</summary>
    public IReadOnlyCollection<string> Lines => lines;

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= minimumLevel;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            lines.Enqueue(formatter(state, exception));
        }
    }

    // A host disposes the providers it was given when it stops; the lines stay readable.
    public void Dispose()
    {
    }
}
