using AiServer.ServiceDefaults.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>Chooses the fleet store: Redis when <c>ConnectionStrings:redis</c> is configured, else none (local breakers only).</summary>
internal static class FleetStoreFactory
{
    internal const string ConnectionName = "redis";

    public static bool TryRegister(IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionName)))
        {
            return false;
        }

        builder.AddAiServerRedisClient(ConnectionName);
        builder.Services.TryAddSingleton<IFleetStateStore>(sp => new RedisFleetStateStore(
            new Lazy<IConnectionMultiplexer>(sp.GetRequiredService<IConnectionMultiplexer>),
            sp.GetRequiredService<IOptions<RedisOptions>>().Value.KeyPrefix));
        return true;
    }
}
