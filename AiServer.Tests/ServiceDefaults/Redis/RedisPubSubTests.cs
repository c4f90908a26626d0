using System.Collections.Concurrent;
using AiServer.ServiceDefaults.Redis;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.ServiceDefaults.Redis;

public sealed class RedisPubSubTests(RedisServer server) : IAsyncLifetime
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);

    private RedisClient _client = null!;
    private IRedisSubscriber _subscriber = null!;

    public async ValueTask InitializeAsync()
    {
        _client = await RedisTestClient.ConnectAsync(server.ConnectionString);
        _subscriber = _client.GetSubscriber();
    }

    public async ValueTask DisposeAsync() => await _client.DisposeAsync();

    [Fact(Timeout = 60_000)]
    public async Task SubscribeAndUnsubscribe_RacingOnOneChannel_ServerStaysSubscribedWhileAHandlerIsRegistered()
    {
        // Each round removes the only handler while another is added: whichever order the two take, the server must
        // end up subscribed, because one handler is registered.
        IRedisDatabase db = _client.GetDatabase();
        string channel = RedisTestClient.Key("race");
        var received = new ConcurrentQueue<string>();
        IAsyncDisposable current = await _subscriber.SubscribeAsync(channel, (_, _) => { }, TestContext.Current.CancellationToken);
        for (int round = 0; round < 300; round++)
        {
            IAsyncDisposable previous = current;
            int id = round;
            Action<string, RedisValue> handler = (_, m) =>   // a distinct delegate per round
            {
                if (id == 299)
                {
                    received.Enqueue(m.ToString());
                }
            };
            Task unsubscribe = Task.Run(async () => await previous.DisposeAsync(), TestContext.Current.CancellationToken);
            Task<IAsyncDisposable> subscribe = Task.Run(async () => await _subscriber.SubscribeAsync(channel, handler), TestContext.Current.CancellationToken);
            await Task.WhenAll(unsubscribe, subscribe);
            current = await subscribe;

            long subscribers = (await db.ExecuteAsync("PUBSUB", "NUMSUB", channel)).Items[1].AsInt64();
            Assert.True(subscribers == 1, $"round {round}: the server has {subscribers} subscribers while a handler is registered");
        }

        await _subscriber.PublishAsync(channel, "last", TestContext.Current.CancellationToken);
        await Wait.UntilAsync(() => received.Contains("last"), WaitLimit, "the message to reach the remaining handler");
        await current.DisposeAsync();
    }

    [Fact(Timeout = 30_000)]
    public async Task SubscribeAsync_SameHandlerTwiceOneDisposed_TheOtherStillReceives()
    {
        string channel = RedisTestClient.Key("twice");
        var received = new ConcurrentQueue<string>();
        Action<string, RedisValue> handler = (_, m) => received.Enqueue(m.ToString());
        await using IAsyncDisposable kept = await _subscriber.SubscribeAsync(channel, handler, TestContext.Current.CancellationToken);
        IAsyncDisposable disposed = await _subscriber.SubscribeAsync(channel, handler, TestContext.Current.CancellationToken);

        await disposed.DisposeAsync();
        await _subscriber.PublishAsync(channel, "still-here", TestContext.Current.CancellationToken);

        await Wait.UntilAsync(() => received.Contains("still-here"), WaitLimit, "the message to reach the subscription that was not disposed");
    }

    [Fact(Timeout = 30_000)]
    public async Task SubscribeAsync_MessagesPublished_ReachEveryHandlerInOrder()
    {
        string channel = RedisTestClient.Key("channel");
        var first = new ConcurrentQueue<string>();
        var second = new ConcurrentQueue<string>();
        await using IAsyncDisposable a = await _subscriber.SubscribeAsync(channel, (_, m) => first.Enqueue(m.ToString()), TestContext.Current.CancellationToken);
        await using IAsyncDisposable b = await _subscriber.SubscribeAsync(channel, (_, m) => second.Enqueue(m.ToString()), TestContext.Current.CancellationToken);

        long receivers = 0;
        for (int i = 0; i < 50; i++)
        {
            receivers = await _subscriber.PublishAsync(channel, $"m{i}", TestContext.Current.CancellationToken);
        }

        await Wait.UntilAsync(() => first.Count == 50 && second.Count == 50, WaitLimit, "50 messages at both handlers");
        Assert.Equal(1, receivers);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"m{i}"), first);
        Assert.Equal(first, second);
    }

    [Fact(Timeout = 30_000)]
    public async Task SubscribeAsync_BinaryPayload_ArrivesIntact()
    {
        string channel = RedisTestClient.Key("binary-channel");
        var received = new TaskCompletionSource<(string Channel, byte[]? Payload)>(TaskCreationOptions.RunContinuationsAsynchronously);
        byte[] payload = [0, 1, 2, 13, 10, 255];
        await using IAsyncDisposable subscription = await _subscriber.SubscribeAsync(channel, (c, m) => received.TrySetResult((c, m.ToArray())), TestContext.Current.CancellationToken);

        await _subscriber.PublishAsync(channel, payload, TestContext.Current.CancellationToken);
        (string gotChannel, byte[]? gotPayload) = await Wait.ForAsync(received.Task, WaitLimit, "the binary message");

        Assert.Equal(channel, gotChannel);
        Assert.Equal(payload, gotPayload);
    }

    [Fact(Timeout = 30_000)]
    public async Task DisposeAsync_LastHandler_Unsubscribes()
    {
        string channel = RedisTestClient.Key("unsub");
        IAsyncDisposable subscription = await _subscriber.SubscribeAsync(channel, (_, _) => { }, TestContext.Current.CancellationToken);
        long before = await _subscriber.PublishAsync(channel, "x", TestContext.Current.CancellationToken);

        await subscription.DisposeAsync();
        long after = await _subscriber.PublishAsync(channel, "y", TestContext.Current.CancellationToken);

        Assert.Equal(1, before);
        Assert.Equal(0, after);
    }

    [Fact(Timeout = 30_000)]
    public async Task SubscribeAsync_HandlerThrows_LaterMessagesStillDelivered()
    {
        string channel = RedisTestClient.Key("throwing");
        var received = new ConcurrentQueue<string>();
        await using IAsyncDisposable subscription = await _subscriber.SubscribeAsync(channel, (_, m) =>
        {
            received.Enqueue(m.ToString());
            if (m == "boom")
            {
                throw new InvalidOperationException("handler failure");
            }
        }, TestContext.Current.CancellationToken);

        await _subscriber.PublishAsync(channel, "boom", TestContext.Current.CancellationToken);
        await _subscriber.PublishAsync(channel, "after", TestContext.Current.CancellationToken);

        await Wait.UntilAsync(() => received.Count == 2, WaitLimit, "both messages despite the throwing handler");
        Assert.Equal(["boom", "after"], received);
    }
}
