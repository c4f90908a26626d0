using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace AiServer.Jobs.Store;

/// <summary>
/// Listens on the fleet's job channel (<see cref="JobKeys.Changes"/>) and wakes whoever waits: a request with
/// <c>Prefer: wait</c> or an event stream waiting for a job's next change, an idle worker waiting for new work of a
/// kind. A lost message only delays a waiter: every wait is bounded and the waiter reads Redis again.
/// </summary>
internal sealed class JobNotifier(IConnectionMultiplexer redis, JobKeys keys) : IHostedService
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _kinds = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await redis.GetSubscriber().SubscribeAsync(keys.Changes, (_, message) => OnMessage(message.ToString())).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or RedisTimeoutException)
        {
            // Redis is down at start: waits run to their bounds; the multiplexer restores subscriptions it knows of, so
            // subscribe again in the background until it takes.
            _ = Task.Run(SubscribeLaterAsync, CancellationToken.None);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await _stopping.CancelAsync().ConfigureAwait(false);

    /// <summary>Completes when job <paramref name="id"/> changes, or after <paramref name="timeout"/>.</summary>
    public Task WaitForJobAsync(string id, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitAsync(_jobs, id, timeout, cancellationToken);

    /// <summary>Completes when a job of <paramref name="kind"/> is queued, or after <paramref name="timeout"/>.</summary>
    public Task WaitForWorkAsync(string kind, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitAsync(_kinds, kind, timeout, cancellationToken);

    /// <summary>Wakes the waiters of a kind at once (this process queued work itself).</summary>
    public void SignalWork(string kind) => Signal(_kinds, kind);

    internal void OnMessage(string message)
    {
        var parts = message.Split('|');
        if (parts.Length != 3)
        {
            return;
        }

        Signal(_jobs, parts[1]);
        if (parts[2] == JobStatus.Queued)
        {
            Signal(_kinds, parts[0]);
        }
    }

    private static void Signal(ConcurrentDictionary<string, TaskCompletionSource> waiters, string key)
    {
        if (waiters.TryRemove(key, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    private static async Task WaitAsync(ConcurrentDictionary<string, TaskCompletionSource> waiters, string key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waiter = waiters.GetOrAdd(key, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await waiter.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // bounded wait: the caller reads Redis again
        }
    }

    private async Task SubscribeLaterAsync()
    {
        for (var delay = TimeSpan.FromMilliseconds(500); !_stopping.IsCancellationRequested; delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000)))
        {
            try
            {
                await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await redis.GetSubscriber().SubscribeAsync(keys.Changes, (_, message) => OnMessage(message.ToString())).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is RedisException or RedisTimeoutException)
            {
                // still down
            }
        }
    }
}
