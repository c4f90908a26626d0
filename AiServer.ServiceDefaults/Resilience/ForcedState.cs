namespace AiServer.ServiceDefaults.Resilience;

/// <summary>A manual override of a circuit breaker that holds fleet-wide until <c>reset</c>.</summary>
public enum ForcedState
{
    /// <summary>No override: the breaker follows its failure and recovery rules.</summary>
    None = 0,

    /// <summary>Isolated by an operator: every call is rejected.</summary>
    Open = 1,

    /// <summary>Held closed by an operator: every call passes and failures are not counted.</summary>
    Closed = 2,
}
