namespace AiServer.ServiceDefaults.Resilience;

/// <summary>Per-request settings read by the fleet resilience handler.</summary>
public static class FleetHttpRequestOptions
{
    /// <summary>
    /// The operation name of a request for logs, traces and metrics (default: breaker name and method), e.g.
    /// <c>request.Options.Set(FleetHttpRequestOptions.OperationKey, "create-training")</c>.
    /// </summary>
    public static readonly HttpRequestOptionsKey<string> OperationKey = new("AiServer.Operation");
}
