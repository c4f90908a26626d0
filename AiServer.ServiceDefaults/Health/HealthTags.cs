namespace AiServer.ServiceDefaults.Health;

/// <summary>
/// Tags that place a health check on the endpoints of <c>MapDefaultEndpoints()</c>.
/// </summary>
public static class HealthTags
{
    /// <summary>Runs on <c>/health/live</c>: the process itself; never a dependency.</summary>
    public const string Live = "live";

    /// <summary>Runs on <c>/health/ready</c>: what must hold before the instance takes traffic.</summary>
    public const string Ready = "ready";

    /// <summary>Runs on <c>/health/detailed</c>: every component an operator wants to see.</summary>
    public const string Detailed = "detailed";
}
