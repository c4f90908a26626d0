namespace AiServer.AppHost.Breakers;

/// <summary>A fleet circuit breaker shown in the dashboard as a resource of its own (state, opener, reason, next probe).</summary>
/// <param name="name">The resource name, <c>breaker-{breaker}</c>.</param>
/// <param name="breakerName">The breaker's name in the fleet (<c>replicate</c>, <c>file-download</c>, ...).</param>
public sealed class CircuitBreakerResource(string name, string breakerName) : Resource(name)
{
    /// <summary>The resource type the dashboard shows.</summary>
    public const string ResourceTypeName = "CircuitBreaker";

    /// <summary>The breaker's name in the fleet.</summary>
    public string BreakerName { get; } = breakerName;
}
