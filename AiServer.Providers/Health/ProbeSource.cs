namespace AiServer.Providers.Health;

/// <summary>
/// Where a provider check's answer came from: the <c>source</c> in its details and the label of
/// <c>provider_health_probes_total</c>.
/// </summary>
internal static class ProbeSource
{
    /// <summary>This instance probed the provider under the fleet's lease and shared the result through Redis.</summary>
    public const string Probed = "probed";

    /// <summary>Another instance's (or an earlier) probe, read from the fleet's shared result in Redis; no probe ran.</summary>
    public const string Shared = "shared";

    /// <summary>Without Redis (not configured, unreachable, or too slow): this instance's own probe and cache.</summary>
    public const string Local = "local";
}
