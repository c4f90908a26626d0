using AiServer.ServiceDefaults.Redis;

namespace AiServer.Tests.ServiceDefaults.Redis;

/// <summary>Connected clients and unique keys for the Redis tests.</summary>
internal static class RedisTestClient
{
    /// <summary>Fast reconnects, so fault tests do not wait for production backoff.</summary>
    public static RedisOptions FastReconnect => new()
    {
        ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(250),
    };

    public static async Task<RedisClient> ConnectAsync(string connectionString, RedisMetrics? metrics = null)
    {
        RedisClient client = RedisClient.Create(connectionString, FastReconnect, metrics, clientName: "aiserver-tests");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await client.ConnectAsync(timeout.Token);
            return client;
        }
        catch (OperationCanceledException)
        {
            string error = client.GetStatus().LastError ?? "no error recorded";
            await client.DisposeAsync();
            throw new TimeoutException($"The client did not connect to {connectionString} within 15 s: {error}");
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public static string Key(string name) => $"test:{name}:{Guid.NewGuid():N}";
}
