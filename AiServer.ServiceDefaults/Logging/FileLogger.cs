using Microsoft.Extensions.Logging;

namespace AiServer.ServiceDefaults.Logging;

/// <summary>A category's logger writing through <see cref="FileLoggerProvider"/>; filtering is the logging framework's.</summary>
internal sealed class FileLogger(FileLoggerProvider provider, string category) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            provider.Enqueue(logLevel, category, eventId, formatter(state, exception), exception);
        }
    }
}
