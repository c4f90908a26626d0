namespace AiServer.ServiceDefaults.Resilience;

/// <summary>A point-in-time view of one breaker: the fleet state as this instance sees it plus this instance's counters.</summary>
public sealed record CircuitBreakerStats
{
    /// <summary>The breaker name.</summary>
    public required string Name { get; init; }

    /// <summary>The effective state (an OPEN circuit whose recovery timeout has passed reports HALF_OPEN).</summary>
    public required CircuitState State { get; init; }

    /// <summary>A manual override, if any.</summary>
    public ForcedState Forced { get; init; }

    /// <summary>The fleet version of the state (0 when never written to Redis).</summary>
    public long Version { get; init; }

    /// <summary>Where the state comes from: <c>fleet</c> (Redis) or <c>local</c> (Redis unreachable or not configured).</summary>
    public required string Source { get; init; }

    /// <summary>Consecutive failures counted by this instance in the current monitoring period.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>
    /// Consecutive failures counted by the whole fleet (every instance's reports, as Redis last told this instance);
    /// null when the breaker does not follow the fleet (no Redis, Redis unreachable, or a local state not yet confirmed).
    /// </summary>
    public int? FleetConsecutiveFailures { get; init; }

    /// <summary>Handled failures seen by this instance since start.</summary>
    public long Failures { get; init; }

    /// <summary>Successful calls seen by this instance since start.</summary>
    public long Successes { get; init; }

    /// <summary>Calls admitted by this instance since start.</summary>
    public long Calls { get; init; }

    /// <summary>Calls rejected by this instance since start.</summary>
    public long Rejections { get; init; }

    /// <summary>When this instance last saw a handled failure.</summary>
    public DateTimeOffset? LastFailureTime { get; init; }

    /// <summary>What the last handled failure was (exception type or HTTP status; never a secret).</summary>
    public string? LastFailureReason { get; init; }

    /// <summary>The instance that opened (or forced) the circuit.</summary>
    public string? OpenedBy { get; init; }

    /// <summary>Why the circuit was opened or forced.</summary>
    public string? OpenReason { get; init; }

    /// <summary>When the next probe may run (OPEN only).</summary>
    public DateTimeOffset? NextAttemptTime { get; init; }

    /// <summary>Until when calls are held back after a 429 from the provider (shared cool-down), if active.</summary>
    public DateTimeOffset? CooldownUntil { get; init; }

    /// <summary>The options in force.</summary>
    public required CircuitBreakerOptions Options { get; init; }
}
