namespace AiServer.ServiceDefaults.Resilience;

/// <summary>One breaker in the JSON views: the fleet state, then this instance's counters.</summary>
internal sealed record CircuitBreakerView
{
    public required string Name { get; init; }

    /// <summary><c>CLOSED</c>, <c>HALF_OPEN</c> or <c>OPEN</c> (the seeds' spelling).</summary>
    public required string State { get; init; }

    /// <summary>The metric encoding: CLOSED 0, HALF_OPEN 1, OPEN 2.</summary>
    public required int StateValue { get; init; }

    public required string Forced { get; init; }

    public long Version { get; init; }

    public required string Source { get; init; }

    public string? OpenedBy { get; init; }

    public string? OpenReason { get; init; }

    public DateTimeOffset? NextAttemptTime { get; init; }

    public DateTimeOffset? CooldownUntil { get; init; }

    public required InstanceCounters Instance { get; init; }

    public required OptionsView Options { get; init; }

    public static CircuitBreakerView From(CircuitBreakerStats stats) => new()
    {
        Name = stats.Name,
        State = BreakerStateController.StateLabel(stats.State),
        StateValue = (int)stats.State,
        Forced = stats.Forced switch { ForcedState.Open => "OPEN", ForcedState.Closed => "CLOSED", _ => "NONE" },
        Version = stats.Version,
        Source = stats.Source,
        OpenedBy = stats.OpenedBy,
        OpenReason = stats.OpenReason,
        NextAttemptTime = stats.NextAttemptTime,
        CooldownUntil = stats.CooldownUntil,
        Instance = new()
        {
            Calls = stats.Calls,
            Successes = stats.Successes,
            Failures = stats.Failures,
            Rejections = stats.Rejections,
            ConsecutiveFailures = stats.ConsecutiveFailures,
            FleetConsecutiveFailures = stats.FleetConsecutiveFailures,
            LastFailureTime = stats.LastFailureTime,
            LastFailureReason = stats.LastFailureReason,
        },
        Options = new()
        {
            FailureThreshold = stats.Options.FailureThreshold,
            RecoveryTimeoutMs = (long)stats.Options.RecoveryTimeout.TotalMilliseconds,
            MonitoringPeriodMs = (long)stats.Options.MonitoringPeriod.TotalMilliseconds,
            SuccessThreshold = stats.Options.SuccessThreshold,
            HalfOpenMaxProbes = stats.Options.HalfOpenMaxProbes,
            MinimumReporters = stats.Options.MinimumReporters,
        },
    };

    internal sealed record InstanceCounters
    {
        public long Calls { get; init; }

        public long Successes { get; init; }

        public long Failures { get; init; }

        public long Rejections { get; init; }

        public int ConsecutiveFailures { get; init; }

        /// <summary>The fleet's count next to this instance's (null when not following the fleet).</summary>
        public int? FleetConsecutiveFailures { get; init; }

        public DateTimeOffset? LastFailureTime { get; init; }

        public string? LastFailureReason { get; init; }
    }

    internal sealed record OptionsView
    {
        public int FailureThreshold { get; init; }

        public long RecoveryTimeoutMs { get; init; }

        public long MonitoringPeriodMs { get; init; }

        public int SuccessThreshold { get; init; }

        public int HalfOpenMaxProbes { get; init; }

        public int MinimumReporters { get; init; }
    }
}
