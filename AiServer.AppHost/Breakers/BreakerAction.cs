namespace AiServer.AppHost.Breakers;

/// <summary>A manual breaker action, as the admin endpoints name it.</summary>
internal enum BreakerAction
{
    ForceOpen,
    ForceClose,
    Reset,
}
