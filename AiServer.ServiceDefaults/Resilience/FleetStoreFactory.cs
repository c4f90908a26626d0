using Microsoft.Extensions.Hosting;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>Chooses the fleet store: Redis when a connection is configured, else none (local breakers only).</summary>
internal static class FleetStoreFactory
{
    public static bool TryRegister(IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Filled in once the Redis client (branch redis) is merged.
        return false;
    }
}
