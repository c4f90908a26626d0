namespace AiServer.ServiceDefaults.Resilience;

/// <summary>Why a breaker rejected a call without running it.</summary>
public enum RejectionReason
{
    /// <summary>The circuit is OPEN and the recovery timeout has not passed.</summary>
    Open = 0,

    /// <summary>The circuit is HALF_OPEN and the fleet's probe slots are taken.</summary>
    HalfOpenProbeBusy = 1,

    /// <summary>An operator forced the circuit open.</summary>
    ForcedOpen = 2,

    /// <summary>The provider asked the fleet to slow down (429) and the shared cool-down has not ended.</summary>
    Cooldown = 3,
}
