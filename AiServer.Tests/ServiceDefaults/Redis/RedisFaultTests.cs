using System.Collections.Concurrent;
using AiServer.ServiceDefaults.Redis;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.ServiceDefaults.Redis;

/// <summary>Crashes, restarts, hung servers and bad credentials, each against its own redis-server.</summary>
[Collection(RedisFaultCollection.Name)]
public sealed class RedisFaultTests
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(15);

    [Fact(Timeout = 60_000)]
    public async Task ServerKilledUnderLoad_InFlightFailFastThenReconnectsAndResubscribes()
    {
        // Arrange: a long command timeout, so only fail-fast (not a timeout) can end the in-flight commands in time.
        await using RedisServer server = await RedisServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using RedisClient client = await RedisTestClient.ConnectAsync(server.ConnectionString + ",syncTimeout=120000");
        IRedisDatabase db = client.GetDatabase();
        string channel = RedisTestClient.Key("events");
        var messages = new ConcurrentQueue<string>();
        await using IAsyncDisposable subscription = await client.GetSubscriber().SubscribeAsync(channel, (_, m) => messages.Enqueue(m.ToString()), TestContext.Current.CancellationToken);
        var failures = new ConcurrentQueue<Exception>();
        long succeeded = 0;
        using var stopLoad = new CancellationTokenSource();
        Task[] load = Enumerable.Range(0, 32).Select(worker => Task.Run(async () =>
        {
            int i = 0;
            while (!stopLoad.IsCancellationRequested)
            {
                try
                {
                    string key = $"load:{worker}:{i++ % 100}";
                    await db.StringSetAsync(key, i);
                    await db.StringGetAsync(key);
                    Interlocked.Increment(ref succeeded);
                }
                catch (Exception ex)
                {
                    failures.Enqueue(ex);
                    await Task.Yield();
                }
            }
        })).ToArray();
        await Wait.UntilAsync(() => Interlocked.Read(ref succeeded) > 2_000, WaitLimit, "2,000 successful commands before the kill");

        // Act: freeze the server so every worker has a command in flight, crash it, then bring it back on the same port.
        // (Killing a running server on loopback mostly finds every sent command already answered.)
        server.Pause();
        await Wait.UntilAsync(() => client.GetStatus().InFlight >= 32, WaitLimit, "all 32 workers to have a command in flight on the frozen server");
        server.Kill();
        await Wait.UntilAsync(() => failures.Count > 100, WaitLimit, "the load to see failures after the kill");
        RedisConnectionStatus down = client.GetStatus();
        await server.RestartAsync(TestContext.Current.CancellationToken);
        await Wait.UntilAsync(() => client.IsConnected && client.GetSubscriber().IsConnected, WaitLimit, "the client to reconnect both connections");
        long successesAfterReconnect = Interlocked.Read(ref succeeded);
        await Wait.UntilAsync(() => Interlocked.Read(ref succeeded) > successesAfterReconnect + 1_000, WaitLimit, "1,000 successful commands after the restart");
        await stopLoad.CancelAsync();
        await Wait.ForAsync(Task.WhenAll(load).ContinueWith(_ => true, TaskScheduler.Default), WaitLimit, "the load to stop");
        await Wait.UntilAsync(
            async () =>
            {
                await db.PingAsync();
                await client.GetSubscriber().PublishAsync(channel, "after-restart");
                return messages.Contains("after-restart");
            },
            WaitLimit,
            "a message on the channel subscribed before the crash");

        // Assert: every failure was a connection failure (fast), none a timeout or a mismatched reply.
        string seen = string.Join(Environment.NewLine, failures.GroupBy(ex => $"{ex.GetType().Name}: {ex.Message.Split(" (")[0]}").Select(g => $"{g.Count()} x {g.Key}"));
        Assert.False(down.IsConnected);
        Assert.All(failures, ex => Assert.True(ex.GetType() == typeof(RedisConnectionException), $"{ex.GetType().Name}: {ex.Message}{Environment.NewLine}All failures:{Environment.NewLine}{seen}"));
        // Commands in flight at the kill fail with "was lost" (at once: the timeout is 120 s); those sent while
        // reconnecting with "not connected".
        Assert.True(failures.Count(ex => ex.Message.Contains("was lost", StringComparison.Ordinal)) >= 32, $"every worker's in-flight command fails as lost; failures seen:{Environment.NewLine}{seen}");
        Assert.True(failures.Any(ex => ex.Message.Contains("not connected", StringComparison.Ordinal)), $"commands sent while reconnecting fail as not connected; failures seen:{Environment.NewLine}{seen}");
        RedisConnectionStatus status = client.GetStatus();
        Assert.True(status.ReconnectCount >= 2, $"both connections reconnect; got {status.ReconnectCount}");
        Assert.Equal("ok", (await db.ExecuteAsync("ECHO", "ok")).ToString());
    }

    [Fact(Timeout = 60_000)]
    public async Task PausedServer_CommandsTimeOutThenRepliesStayMatchedAfterResume()
    {
        await using RedisServer server = await RedisServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using RedisClient client = await RedisTestClient.ConnectAsync(server.ConnectionString + ",syncTimeout=300");
        IRedisDatabase db = client.GetDatabase();
        string key = RedisTestClient.Key("paused");
        await db.StringSetAsync(key, "before", cancellationToken: TestContext.Current.CancellationToken);

        server.Pause();
        RedisTimeoutException timeout;
        Task<RedisValue>[] stuck;
        try
        {
            stuck = Enumerable.Range(0, 20).Select(_ => db.StringGetAsync(key).AsTask()).ToArray();
            timeout = await Assert.ThrowsAsync<RedisTimeoutException>(async () => await db.StringSetAsync(key, "during"));
            foreach (Task<RedisValue> task in stuck)
            {
                await Assert.ThrowsAsync<RedisTimeoutException>(() => task);
            }
        }
        finally
        {
            server.Resume();
        }

        // The late replies to the timed-out commands are discarded; new commands get their own replies.
        await db.StringSetAsync(key, "after", cancellationToken: TestContext.Current.CancellationToken);
        RedisValue value = await db.StringGetAsync(key, TestContext.Current.CancellationToken);

        Assert.Contains("did not answer SET within the command timeout of 300 ms", timeout.Message, StringComparison.Ordinal);
        Assert.Contains("syncTimeout in ConnectionStrings:redis", timeout.Message, StringComparison.Ordinal);
        Assert.Equal("after", value.ToString());
        Assert.True(client.IsConnected);
    }

    [Fact(Timeout = 60_000)]
    public async Task PausedServer_SilentBeyondDeadThreshold_ConnectionIsReplaced()
    {
        // syncTimeout 1 s: a connection whose overdue commands got no byte for max(2 x 1 s, 5 s) is considered dead.
        await using RedisServer server = await RedisServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using RedisClient client = await RedisTestClient.ConnectAsync(server.ConnectionString + ",syncTimeout=1000,connectTimeout=1000");
        IRedisDatabase db = client.GetDatabase();

        server.Pause();
        RedisConnectionStatus whileDead;
        try
        {
            await Assert.ThrowsAsync<RedisTimeoutException>(async () => await db.PingAsync());
            await Wait.UntilAsync(
                () => client.GetStatus().LastError?.Contains("considered dead", StringComparison.Ordinal) == true,
                WaitLimit,
                "the silent connection to be declared dead");
            whileDead = client.GetStatus();
        }
        finally
        {
            server.Resume();
        }

        await Wait.UntilAsync(() => client.IsConnected, WaitLimit, "the client to reconnect after the server resumed");
        RedisValue value = await db.StringGetAsync(RedisTestClient.Key("after-dead"), TestContext.Current.CancellationToken);

        Assert.False(whileDead.IsConnected);
        Assert.True(value.IsNull);
        Assert.True(client.GetStatus().ReconnectCount >= 1);
    }

    [Fact(Timeout = 60_000)]
    public async Task PausedServer_CanceledCommand_ThrowsAndConnectionStaysUsable()
    {
        await using RedisServer server = await RedisServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using RedisClient client = await RedisTestClient.ConnectAsync(server.ConnectionString + ",syncTimeout=60000");
        IRedisDatabase db = client.GetDatabase();
        using var cancel = new CancellationTokenSource();

        server.Pause();
        Task<RedisValue> pending;
        try
        {
            pending = db.StringGetAsync("anything", cancel.Token).AsTask();
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        }
        finally
        {
            server.Resume();
        }

        Assert.Equal("pong-check", (await db.ExecuteAsync("ECHO", "pong-check")).ToString());
    }

    [Fact(Timeout = 60_000)]
    public async Task PausedServer_IdleSubscriber_IsDeclaredDeadThenResubscribesAfterResume()
    {
        // An idle subscriber connection has no command in flight, so only its own PING can reveal that the server went
        // silent; syncTimeout 500 ms: PING after 0.5 s of silence, dead after max(2 x 0.5 s, 5 s) without a byte.
        await using RedisServer server = await RedisServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using RedisClient client = await RedisTestClient.ConnectAsync(server.ConnectionString + ",syncTimeout=500,connectTimeout=1000");
        IRedisSubscriber subscriber = client.GetSubscriber();
        string channel = RedisTestClient.Key("half-open");
        var messages = new ConcurrentQueue<string>();
        await using IAsyncDisposable subscription = await subscriber.SubscribeAsync(channel, (_, m) => messages.Enqueue(m.ToString()), TestContext.Current.CancellationToken);

        server.Pause();
        try
        {
            await Wait.UntilAsync(() => !client.GetStatus().IsSubscriberConnected, TimeSpan.FromSeconds(30), "the subscriber connection to the paused server to be declared dead");
        }
        finally
        {
            server.Resume();
        }

        await Wait.UntilAsync(
            async () =>
            {
                await subscriber.PublishAsync(channel, "after-resume");
                return messages.Contains("after-resume");
            },
            WaitLimit,
            () => $"a message to reach the re-subscribed handler (subscriber connected: {client.GetStatus().IsSubscriberConnected})",
            TimeSpan.FromMilliseconds(100));

        Assert.True(client.GetStatus().ReconnectCount >= 1);
    }

    [Fact(Timeout = 60_000)]
    public async Task PausedServer_BlockingCommandWithBlockTime_TimesOutAfterBlockTimePlusCommandTimeout()
    {
        await using RedisServer server = await RedisServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await using RedisClient client = await RedisTestClient.ConnectAsync(server.ConnectionString + ",syncTimeout=500");
        IRedisDatabase db = client.GetDatabase();
        string key = RedisTestClient.Key("blpop");
        // Opens a blocking connection and returns it to the pool, so the next BLPOP is sent on a connection that works.
        Assert.True((await db.ExecuteAsync("BLPOP", key, "0.01")).IsNull);

        server.Pause();
        try
        {
            Task<RedisResult> blocked = db.ExecuteAsync("BLPOP", key, 1).AsTask();

            await Assert.ThrowsAsync<RedisTimeoutException>(() => Wait.ForAsync(blocked, TimeSpan.FromSeconds(30), "BLPOP with a block time of 1 s on a paused server"));
        }
        finally
        {
            server.Resume();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task ConnectAsync_ServerAtMaxClients_IsRetriedNotAnAuthenticationError()
    {
        // Redis at maxclients accepts, answers "-ERR max number of clients reached" and closes: with a password, that
        // error is the reply to AUTH, and it is transient.
        await using RedisServer server = await RedisServer.StartAsync("s3cret", TestContext.Current.CancellationToken);
        await server.CliAsync("CONFIG", "SET", "maxclients", "2");
        using var first = new System.Net.Sockets.TcpClient();
        using var second = new System.Net.Sockets.TcpClient();
        await OccupyAsync(first);
        await OccupyAsync(second);
        await using RedisClient client = RedisClient.Create(server.ConnectionString + ",connectTimeout=1000", RedisTestClient.FastReconnect);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        Task connecting = client.ConnectAsync(timeout.Token);
        await Wait.UntilAsync(
            () => connecting.IsCompleted || client.GetStatus().LastError?.Contains("max number of clients", StringComparison.Ordinal) == true,
            WaitLimit,
            () => $"a connection attempt to be refused for maxclients (last error: {client.GetStatus().LastError})");
        bool failedWhileFull = connecting.IsFaulted;
        first.Dispose();
        second.Dispose();
        await Wait.ForAsync(connecting.ContinueWith(t => t, TaskScheduler.Default), WaitLimit, "the client to connect once the slots were free");

        Assert.False(failedWhileFull, $"ConnectAsync failed while the server was full: {connecting.Exception?.InnerException?.Message}");
        Assert.True(connecting.IsCompletedSuccessfully, connecting.Exception?.InnerException?.Message);
        Assert.True(client.IsConnected);

        async Task OccupyAsync(System.Net.Sockets.TcpClient occupant)
        {
            await occupant.ConnectAsync(server.Host, server.Port, TestContext.Current.CancellationToken);
            System.Net.Sockets.NetworkStream stream = occupant.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
            byte[] buffer = new byte[128];
            int read = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken);
            // An accepted client gets NOAUTH (it did not authenticate); a refused one would get the maxclients error.
            Assert.StartsWith("-NOAUTH", System.Text.Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task ConnectAsync_WrongPassword_SaysThePasswordWasRejected()
    {
        await using RedisServer server = await RedisServer.StartAsync("s3cret", TestContext.Current.CancellationToken);
        await using RedisClient client = RedisClient.Create($"{server.Host}:{server.Port},password=not-the-password-123", RedisTestClient.FastReconnect);
        using var timeout = new CancellationTokenSource(WaitLimit);

        RedisAuthenticationException error = await Assert.ThrowsAsync<RedisAuthenticationException>(() => client.ConnectAsync(timeout.Token));

        Assert.Contains("rejected the password", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:redis", error.Message, StringComparison.Ordinal);
        Assert.Contains("WRONGPASS", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password-123", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task ConnectAsync_PasswordMissing_SaysOneIsRequired()
    {
        await using RedisServer server = await RedisServer.StartAsync("s3cret", TestContext.Current.CancellationToken);
        await using RedisClient client = RedisClient.Create($"{server.Host}:{server.Port}", RedisTestClient.FastReconnect);
        using var timeout = new CancellationTokenSource(WaitLimit);

        RedisAuthenticationException error = await Assert.ThrowsAsync<RedisAuthenticationException>(() => client.ConnectAsync(timeout.Token));

        Assert.Contains("requires a password, but ConnectionStrings:redis has none", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task ConnectAsync_CorrectPasswordAndUser_Works()
    {
        await using RedisServer server = await RedisServer.StartAsync("s3cret", TestContext.Current.CancellationToken);

        await using RedisClient client = await RedisTestClient.ConnectAsync(server.ConnectionString + ",user=default");
        RedisResult whoami = await client.GetDatabase().ExecuteAsync("ACL", "WHOAMI");

        Assert.Equal("default", whoami.ToString());
    }

    [Fact(Timeout = 30_000)]
    public async Task Commands_RedisUnreachable_FailFastWithConnectionException()
    {
        int closedPort = ClosedPort();
        await using RedisClient client = RedisClient.Create($"127.0.0.1:{closedPort},connectTimeout=500", RedisTestClient.FastReconnect);
        using var shortWait = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ConnectAsync(shortWait.Token));
        RedisConnectionException error = await Assert.ThrowsAsync<RedisConnectionException>(async () => await client.GetDatabase().StringGetAsync("k", TestContext.Current.CancellationToken));
        await Wait.UntilAsync(() => client.GetStatus().LastError is not null, WaitLimit, "a failed connection attempt to be recorded");

        Assert.Contains($"Redis at 127.0.0.1:{closedPort} is not connected", error.Message, StringComparison.Ordinal);
        Assert.Contains("refused", client.GetStatus().LastError, StringComparison.OrdinalIgnoreCase);
        Assert.False(client.IsConnected);
    }

    [Fact(Timeout = 30_000)]
    public async Task Commands_AfterDispose_FailWithConnectionException()
    {
        await using RedisServer server = await RedisServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        RedisClient client = await RedisTestClient.ConnectAsync(server.ConnectionString);

        await client.DisposeAsync();

        await Assert.ThrowsAsync<RedisConnectionException>(async () => await client.GetDatabase().PingAsync(TestContext.Current.CancellationToken));
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
