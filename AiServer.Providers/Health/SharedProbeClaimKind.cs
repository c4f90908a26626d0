namespace AiServer.Providers.Health;

/// <summary>What the claim script answered.</summary>
internal enum SharedProbeClaimKind
{
    /// <summary>The shared result is younger than the cache period: serve it, probe nothing.</summary>
    Fresh,

    /// <summary>The result is stale or missing and this instance took the lease: it probes and publishes.</summary>
    Leased,

    /// <summary>The result is stale or missing and another instance holds the lease: wait for its result.</summary>
    Busy,
}
