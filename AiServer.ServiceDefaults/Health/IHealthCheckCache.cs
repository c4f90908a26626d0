namespace AiServer.ServiceDefaults.Health;

/// <summary>
/// A health check that caches its results (provider probes, which cost a call to the provider) registers one of these
/// as a singleton, so that an operator's <c>/health/detailed?refresh=true</c> (admin token required) forces fresh probes.
/// </summary>
public interface IHealthCheckCache
{
    /// <summary>Drops cached results; the next check probes again.</summary>
    void Invalidate();
}
