namespace AiServer.ServiceDefaults.Resilience;

/// <summary>An operator's action on a breaker.</summary>
internal enum ManualAction
{
    ForceOpen = 0,
    ForceClose = 1,
    Reset = 2,
}
