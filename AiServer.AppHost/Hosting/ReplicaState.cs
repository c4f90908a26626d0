namespace AiServer.AppHost.Hosting;

/// <summary>Where a replica is in its life.</summary>
public enum ReplicaState
{
    /// <summary>Not started yet.</summary>
    Pending,

    /// <summary>Process started; not healthy yet.</summary>
    Starting,

    /// <summary>Health probe answered.</summary>
    Running,

    /// <summary>Exited on its own; a restart is scheduled.</summary>
    Restarting,

    /// <summary>Stopped by the AppHost.</summary>
    Stopped,

    /// <summary>Exited and not restarted.</summary>
    Failed,
}
