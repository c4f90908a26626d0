namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// A breaker's fleet state as returned by a Lua script or carried by a pub/sub message. Times are relative
/// (milliseconds remaining, measured on Redis's clock when the record was produced), so instance clocks never matter.
/// </summary>
internal sealed record FleetStateRecord
{
    public required string Name { get; init; }

    public bool Exists { get; init; }

    public CircuitState State { get; init; }

    public ForcedState Forced { get; init; }

    public long Version { get; init; }

    /// <summary>For OPEN: milliseconds until probes may run (0 or less: due).</summary>
    public long OpenRemainingMs { get; init; }

    public string? OpenedBy { get; init; }

    public string? Reason { get; init; }

    public int HalfOpenSuccesses { get; init; }

    /// <summary>Milliseconds left of the shared 429 cool-down (0: none).</summary>
    public long CooldownRemainingMs { get; init; }

    /// <summary>The fleet's consecutive handled failures in CLOSED (every instance's reports together; 0 otherwise).</summary>
    public int Failures { get; init; }

    public static FleetStateRecord Missing(string name) => new() { Name = name };
}
