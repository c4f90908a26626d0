using System.Collections.Concurrent;
using AiServer.Jobs.Store;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiServer.Jobs.Execution;

/// <summary>
/// The worker pool of this process: one loop per configured kind reads its stream through the consumer group (new
/// messages, and every <see cref="JobWorkerOptions.ReclaimInterval"/> the messages of dead workers), runs up to
/// <see cref="JobWorkerOptions.Concurrency"/> jobs at once and renews their messages so they are not reclaimed while
/// they run. A kind whose every provider's breaker is OPEN is not read at all. On shutdown it stops reading, lets jobs
/// finish for <see cref="JobWorkerOptions.FinishGrace"/>, then hands the rest back to the queue.
/// </summary>
internal sealed partial class JobWorker(
    JobQueue queue,
    JobProcessor processor,
    JobNotifier notifier,
    ICircuitBreakerRegistry breakers,
    InstanceIdentity identity,
    IOptions<JobWorkerOptions> workerOptions,
    IOptionsMonitor<JobsOptions> jobsOptions,
    TimeProvider time,
    JobTelemetry telemetry,
    ILogger<JobWorker> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, KindState> _kinds = new(StringComparer.Ordinal);

    /// <summary>Per kind: whether its loop is reading, and the jobs in work.</summary>
    internal IReadOnlyDictionary<string, KindState> Kinds => _kinds;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var kinds = workerOptions.Value.EffectiveKinds;
        LogStarting(logger, string.Join(", ", kinds), workerOptions.Value.Concurrency);
        telemetry.RecordZeros(kinds, submitted: false, completed: true);
        // Jobs get their own token: stopping the reads must not cancel jobs that may still finish within the grace.
        using var jobsStopping = new CancellationTokenSource();
        var loops = kinds.Select(kind => RunKindAsync(kind, stoppingToken, jobsStopping.Token)).ToArray();
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }

        var inWork = _kinds.Values.SelectMany(k => k.Running.Values).ToArray();
        if (inWork.Length > 0)
        {
            LogDraining(logger, inWork.Length, workerOptions.Value.FinishGrace.TotalMilliseconds);
            try
            {
                await Task.WhenAll(inWork).WaitAsync(workerOptions.Value.FinishGrace, time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // the rest is handed back
            }
        }

        await jobsStopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    private async Task RunKindAsync(string kind, CancellationToken stopping, CancellationToken jobsStopping)
    {
        var state = _kinds.GetOrAdd(kind, _ => new KindState());
        var settings = workerOptions.Value;
        var consumer = identity.Id + "/" + kind;
        using var slots = new SemaphoreSlim(settings.Concurrency, settings.Concurrency);
        var renewal = RenewLoopAsync(kind, consumer, state, jobsStopping);
        var lastReclaim = long.MinValue;
        var groupReady = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (!groupReady)
                {
                    await queue.EnsureGroupAsync(kind).ConfigureAwait(false);
                    groupReady = true;
                }

                if (AllProvidersOpen(kind))
                {
                    state.Paused = true;
                    await Task.Delay(TimeSpan.FromMilliseconds(250), time, stopping).ConfigureAwait(false);
                    continue;
                }

                state.Paused = false;
                await slots.WaitAsync(stopping).ConfigureAwait(false);
                var free = slots.CurrentCount + 1;
                var messages = new List<(QueueMessage Message, long Deliveries)>();
                if (lastReclaim == long.MinValue || time.GetElapsedTime(lastReclaim) >= settings.ReclaimInterval)
                {
                    lastReclaim = time.GetTimestamp();
                    messages.AddRange(await queue.ReclaimAsync(kind, consumer, jobsOptions.CurrentValue.VisibilityTimeout, free).ConfigureAwait(false));
                }

                if (messages.Count < free)
                {
                    messages.AddRange((await queue.ReadNewAsync(kind, consumer, free - messages.Count).ConfigureAwait(false)).Select(m => (m, 1L)));
                }

                if (messages.Count == 0)
                {
                    slots.Release();
                    await notifier.WaitForWorkAsync(kind, settings.IdlePoll, stopping).ConfigureAwait(false);
                    continue;
                }

                for (var i = 0; i < messages.Count; i++)
                {
                    if (i > 0)
                    {
                        await slots.WaitAsync(CancellationToken.None).ConfigureAwait(false); // free >= count: never waits long
                    }

                    var (message, deliveries) = messages[i];
                    state.Running[message.MessageId] = RunOneAsync(message, deliveries, state, slots, jobsStopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                // Redis unreachable: nothing can be read or acknowledged; try again shortly.
                LogRedisUnavailable(logger, ex, kind);
                groupReady = groupReady && ex is not RedisServerException;
                await DelayQuietlyAsync(TimeSpan.FromSeconds(1), stopping).ConfigureAwait(false);
            }
        }

        await renewal.ConfigureAwait(false);
    }

    private async Task RunOneAsync(QueueMessage message, long deliveries, KindState state, SemaphoreSlim slots, CancellationToken jobsStopping)
    {
        await Task.Yield();
        try
        {
            await processor.ProcessAsync(message, deliveries, jobsStopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            // The job's end could not be written: its message stays pending and is reclaimed after the visibility timeout.
            LogRedisUnavailable(logger, ex, message.Kind);
        }
        finally
        {
            state.Running.TryRemove(message.MessageId, out _);
            slots.Release();
        }
    }

    private async Task RenewLoopAsync(string kind, string consumer, KindState state, CancellationToken jobsStopping)
    {
        while (!jobsStopping.IsCancellationRequested)
        {
            await DelayQuietlyAsync(jobsOptions.CurrentValue.VisibilityTimeout / 3, jobsStopping).ConfigureAwait(false);
            try
            {
                await queue.RenewAsync(kind, consumer, [.. state.Running.Keys]).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                LogRedisUnavailable(logger, ex, kind);
            }
        }
    }

    private bool AllProvidersOpen(string kind) =>
        JobKinds.ProvidersOf(kind).All(p => breakers.Get(p).State == CircuitState.Open);

    private async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Workers run {Kinds} ({Concurrency} at a time per kind).")]
    private static partial void LogStarting(ILogger logger, string kinds, int concurrency);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Stopping: {Count} jobs in work get {GraceMs} ms to finish before they are handed back.")]
    private static partial void LogDraining(ILogger logger, int count, double graceMs);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Redis unavailable for {Kind} jobs; retrying.")]
    private static partial void LogRedisUnavailable(ILogger logger, Exception exception, string kind);

    /// <summary>One kind's loop state.</summary>
    internal sealed class KindState
    {
        public ConcurrentDictionary<string, Task> Running { get; } = new(StringComparer.Ordinal);

        private volatile bool _paused;

        /// <summary>True while every provider of the kind has an OPEN breaker (the loop does not read).</summary>
        public bool Paused
        {
            get => _paused;
            set => _paused = value;
        }
    }
}
