namespace AiServer.ServiceDefaults.Hosting;

/// <summary>Whether this instance is draining (shutting down); readiness reports 503 from the moment it is.</summary>
public sealed class DrainState
{
    private volatile bool _draining;

    /// <summary>True once shutdown has begun.</summary>
    public bool IsDraining => _draining;

    internal void BeginDraining() => _draining = true;
}
