namespace AiServer.ServiceDefaults.Resilience;

/// <summary>What a breaker granted a call; passed back with the outcome.</summary>
internal enum Permit
{
    Rejected = 0,
    Normal = 1,
    LocalProbe = 2,
    FleetProbe = 3,
}
