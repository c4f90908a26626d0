using System.Collections.Concurrent;
using AiServer.ServiceDefaults.Redis;
using AiServer.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

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

    [Fact(Timeout = 30_000)]
    public async Task Reconnect_ConnectionDropsBeforeItWasStable_BacksOffFurtherWithJitterUntilItStaysUp()
    {
        // Time stands still unless the test moves it, so no connection counts as stable until then; delays still run.
        var time = new RecordingTimeProvider();
        using var metrics = new RedisMetrics(timeProvider: time);
        var options = new RedisOptions { ReconnectMinDelay = TimeSpan.FromMilliseconds(100), ReconnectMaxDelay = TimeSpan.FromSeconds(10) };
        await using var connection = new ManagedConnection(
            RedisConnectionSettings.Parse(server.ConnectionString), RedisConnectionRole.Commands, "aiserver-tests", options, metrics, NullLogger.Instance);
        connection.EnsureStarted();
        await Wait.UntilAsync(() => connection.IsConnected, WaitLimit, "the first connection");
        Assert.Empty(time.Delays);

        for (int drop = 1; drop <= 3; drop++)
        {
            await DropAndWaitForReconnectAsync(drop);
        }

        time.Advance(TimeSpan.FromMinutes(1));
        await DropAndWaitForReconnectAsync(4);

        TimeSpan[] delays = [.. time.Delays];
        Assert.InRange(delays[0].TotalMilliseconds, 50, 100);   // even the first retry waits, with jitter
        Assert.InRange(delays[1].TotalMilliseconds, 100, 200);  // dropped right after the handshake: no reset
        Assert.InRange(delays[2].TotalMilliseconds, 200, 400);
        Assert.InRange(delays[3].TotalMilliseconds, 50, 100);   // stayed up long enough: the backoff starts over

        async Task DropAndWaitForReconnectAsync(int drop)
        {
            await connection.Current!.DisposeAsync();
            await Wait.UntilAsync(
                () => connection.IsConnected && time.Delays.Count == drop,
                WaitLimit,
                () => $"reconnect #{drop} after a delay (delays so far: {string.Join(", ", time.Delays)})");
        }
    }

    /// <summary>Frozen clock (moved by <see cref="Advance"/>) with real timers; records one-shot timers (Task.Delay).</summary>
    private sealed class RecordingTimeProvider : TimeProvider
    {
        private long _now = System.GetTimestamp();

        public ConcurrentQueue<TimeSpan> Delays { get; } = new();

        public void Advance(TimeSpan by) => Interlocked.Add(ref _now, (long)(by.TotalSeconds * TimestampFrequency));

        public override long GetTimestamp() => Interlocked.Read(ref _now);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (period == Timeout.InfiniteTimeSpan)
            {
                Delays.Enqueue(dueTime);
            }

            return System.CreateTimer(callback, state, dueTime, period);
        }
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
