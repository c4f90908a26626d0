namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// The state of a fleet circuit breaker. The numeric values are the metric encoding
/// (<c>circuit_breaker_state</c>): the seeds' alert fires on <c>circuit_breaker_state &gt; 1</c>.
/// </summary>
public enum CircuitState
{
    /// <summary>Normal operation: calls pass, handled failures are counted.</summary>
    Closed = 0,

    /// <summary>Recovery test: a limited number of probe calls (fleet-wide) pass; the rest are rejected.</summary>
    HalfOpen = 1,

    /// <summary>Calls are rejected at once until the recovery timeout has passed (or, when forced, until released).</summary>
    Open = 2,
}
