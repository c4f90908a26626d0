namespace AiServer.ServiceDefaults.Resilience;

/// <summary>The body of <c>GET /metrics/circuit-breakers</c>.</summary>
internal sealed record CircuitBreakersView
{
    public required string Instance { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    /// <summary><c>fleet</c>, <c>local-fallback</c>, <c>loading</c> or <c>local</c> (no Redis configured).</summary>
    public required string Sync { get; init; }

    public double? SyncLagSeconds { get; init; }

    public required IReadOnlyList<CircuitBreakerView> Breakers { get; init; }
}
