namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// The immutable state a breaker's hot path reads with one volatile load. Replaced as a whole on every transition,
/// so readers never see half of an update.
/// </summary>
internal sealed class BreakerSnapshot
{
    public static readonly BreakerSnapshot InitialClosed = new(CircuitState.Closed, ForcedState.None, 0, 0, isLocal: true, null, null);

    public BreakerSnapshot(CircuitState state, ForcedState forced, long version, long openUntilTimestamp, bool isLocal, string? openedBy, string? reason, int fleetFailures = 0)
    {
        State = state;
        Forced = forced;
        Version = version;
        OpenUntilTimestamp = openUntilTimestamp;
        IsLocal = isLocal;
        OpenedBy = openedBy;
        Reason = reason;
        FleetFailures = fleetFailures;
        IsPlainClosed = state == CircuitState.Closed && forced == ForcedState.None;
    }

    /// <summary>The state as stored (an expired OPEN is still OPEN here; <see cref="Effective"/> resolves it).</summary>
    public CircuitState State { get; }

    public ForcedState Forced { get; }

    /// <summary>The fleet version this state came from (local transitions keep the last fleet version).</summary>
    public long Version { get; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> value at which an OPEN circuit lets probes through.</summary>
    public long OpenUntilTimestamp { get; }

    /// <summary>Decided by this instance alone (Redis not configured or unreachable, or not yet confirmed by Redis).</summary>
    public bool IsLocal { get; }

    public string? OpenedBy { get; }

    public string? Reason { get; }

    /// <summary>The fleet's consecutive-failure count as of <see cref="Version"/> (0 for a local state).</summary>
    public int FleetFailures { get; }

    /// <summary>CLOSED without an override: the only check the hot path needs.</summary>
    public bool IsPlainClosed { get; }

    public CircuitState Effective(long now) =>
        State == CircuitState.Open && Forced == ForcedState.None && now >= OpenUntilTimestamp ? CircuitState.HalfOpen : State;
}
