namespace AiServer.ProviderEmulator.Infrastructure;

/// <summary>Runs job state transitions on <see cref="TimeProvider"/> timers, so tests can move time instead of sleeping.</summary>
internal sealed class JobScheduler(TimeProvider time) : IResettable, IDisposable
{
    private readonly Lock _gate = new();
    private readonly HashSet<ITimer> _timers = [];

    public TimeProvider Time => time;

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Calls <paramref name="callback"/> once after <paramref name="delay"/>.</summary>
    public void After(TimeSpan delay, Action callback)
    {
        ITimer? timer = null;
        timer = time.CreateTimer(
            _ =>
            {
                lock (_gate)
                {
                    if (timer is null || !_timers.Remove(timer))
                    {
                        return; // reset or disposed meanwhile
                    }
                }

                timer.Dispose();
                callback();
            },
            null,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Change(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan);
    }

    public void Reset()
    {
        ITimer[] timers;
        lock (_gate)
        {
            timers = [.. _timers];
            _timers.Clear();
        }

        foreach (var timer in timers)
        {
            timer.Dispose();
        }
    }

    public void Dispose() => Reset();
}
