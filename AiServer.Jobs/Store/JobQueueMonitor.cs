using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace AiServer.Jobs.Store;

/// <summary>Samples every kind's queue depth, oldest-message age and dead letters from Redis for the gauges (every 5 s).</summary>
internal sealed class JobQueueMonitor(JobQueue queue, JobTelemetry telemetry, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        telemetry.RecordZeros(JobKinds.All, submitted: true, completed: true);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var figures = new Dictionary<string, (long, double, long)>(StringComparer.Ordinal);
                foreach (var kind in JobKinds.All)
                {
                    figures[kind] = await queue.MeasureAsync(kind).ConfigureAwait(false);
                }

                telemetry.SetQueues(figures);
            }
            catch (Exception e) when (e is RedisException or RedisTimeoutException)
            {
                // Redis unreachable: the gauges keep their last values (Redis alerts cover this state).
            }

            try
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
