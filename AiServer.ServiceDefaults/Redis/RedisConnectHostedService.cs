using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// Connects the client while the host starts, waiting at most the connect timeout: a Redis that is down does not
/// block start-up (readiness reports it and the client keeps reconnecting), nor does any other transient connection
/// error; only rejected credentials fail the start, because no retry can fix them.
/// </summary>
internal sealed class RedisConnectHostedService(IRedisClient client, RedisClientStartup startup, ILogger<RedisConnectHostedService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(startup.StartupWait);
        try
        {
            await client.ConnectAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            RedisLog.NotReachableAtStart(logger, startup.EndPoint, client.GetStatus().LastError ?? "no answer within the connect timeout");
        }
        catch (RedisException ex) when (ex is not RedisAuthenticationException)
        {
            // Transient (a refused or broken connection): the client keeps reconnecting, readiness reports it.
            RedisLog.NotReachableAtStart(logger, startup.EndPoint, ex.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
