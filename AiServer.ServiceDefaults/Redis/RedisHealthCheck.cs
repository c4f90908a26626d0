using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// The <c>redis</c> health check (tags ready + detailed): unhealthy while disconnected (without waiting for a
/// timeout), otherwise a PING whose latency goes into the data as <c>latencyMs</c>.
/// </summary>
internal sealed class RedisHealthCheck(IRedisClient client) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        RedisConnectionStatus status = client.GetStatus();
        var data = new Dictionary<string, object>
        {
            ["endpoint"] = status.Endpoint,
            ["connected"] = status.IsConnected,
            ["subscriberConnected"] = status.IsSubscriberConnected,
            ["reconnects"] = status.ReconnectCount,
            ["inFlight"] = status.InFlight,
        };
        if (!status.IsConnected)
        {
            return new HealthCheckResult(
                context.Registration.FailureStatus,
                $"Redis at {status.Endpoint} is disconnected: {status.LastError ?? "connecting"}",
                data: data);
        }

        try
        {
            TimeSpan latency = await client.GetDatabase().PingAsync(cancellationToken).ConfigureAwait(false);
            data["latencyMs"] = Math.Round(latency.TotalMilliseconds, 3);
            return HealthCheckResult.Healthy($"Redis at {status.Endpoint} answered PING.", data);
        }
        catch (RedisException ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Redis at {status.Endpoint} did not answer PING: {ex.Message}", ex, data);
        }
    }
}
