using AiServer.ServiceDefaults.Redis;
using AiServer.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace AiServer.Tests.ServiceDefaults.Redis;

/// <summary>The reconnect loop of one logical connection, against the shared redis-server.</summary>
public sealed class ManagedConnectionTests(RedisServer server)
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(15);

    [Fact(Timeout = 30_000)]
    public async Task Reconnect_ConnectionBreaksRightAfterItIsPublished_StillReconnects()
    {
        // The "Connected" log line is written after the connection is published and before the loop marks itself as
        // finished: breaking the connection there is the window in which a failure once found the loop still running.
        ManagedConnection? managed = null;
        int broken = 0;
        var logger = new HookLogger(eventId =>
        {
            if (eventId == 7100 && Interlocked.Exchange(ref broken, 1) == 0 && managed?.Current is { } connection)
            {
                _ = connection.DisposeAsync().AsTask();
            }
        });
        using var metrics = new RedisMetrics();
        await using var connection = new ManagedConnection(
            RedisConnectionSettings.Parse(server.ConnectionString), RedisConnectionRole.Subscriber, "aiserver-tests", RedisTestClient.FastReconnect, metrics, logger);
        managed = connection;

        connection.EnsureStarted();
        await Wait.UntilAsync(() => Volatile.Read(ref broken) == 1, WaitLimit, "the first connection to be published and broken");

        await Wait.UntilAsync(() => connection.IsConnected, WaitLimit, () => $"the connection to be re-established (last error: {connection.LastError?.Message})");
        Assert.Equal(1, connection.ReconnectCount);
    }

    private sealed class HookLogger(Action<int> onEvent) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            onEvent(eventId.Id);
    }
}
