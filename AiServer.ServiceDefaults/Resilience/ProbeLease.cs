namespace AiServer.ServiceDefaults.Resilience;

/// <summary>The answer to a probe-lease request: the slot won (or -1) and the breaker state after the request.</summary>
internal readonly record struct ProbeLease(int Slot, FleetStateRecord Record);
