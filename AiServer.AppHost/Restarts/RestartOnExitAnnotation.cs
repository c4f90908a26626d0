namespace AiServer.AppHost.Restarts;

/// <summary>Marks a resource whose process is restarted when it exits on its own (microsoft/aspire#1708 is still open).</summary>
/// <param name="MaxRestarts">Restarts allowed within <paramref name="Window"/>; past that the resource stays down and an error is logged.</param>
/// <param name="Window">The sliding window the restarts are counted in.</param>
/// <param name="InitialDelay">The delay before the first restart in the window; each further one doubles it.</param>
/// <param name="MaxDelay">The cap of the delay.</param>
public sealed record RestartOnExitAnnotation(int MaxRestarts, TimeSpan Window, TimeSpan InitialDelay, TimeSpan MaxDelay) : IResourceAnnotation
{
    /// <summary>The delay before restart number <paramref name="attempt"/> (1-based) within the window.</summary>
    public TimeSpan DelayFor(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var factor = Math.Pow(2, Math.Min(attempt - 1, 20));
        return TimeSpan.FromTicks((long)Math.Min(MaxDelay.Ticks, InitialDelay.Ticks * factor));
    }
}
