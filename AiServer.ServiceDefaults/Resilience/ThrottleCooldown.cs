namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// The shared 429 cool-down of one breaker on this instance: calls are turned away until it ends. Lock-free; the hot
/// path reads <see cref="IsIdle"/> only.
/// </summary>
internal sealed class ThrottleCooldown(TimeProvider time)
{
    private long _until;

    /// <summary>No cool-down was started (or the last one was seen to end).</summary>
    public bool IsIdle => Volatile.Read(ref _until) == 0;

    /// <summary>What is left at <paramref name="now"/>, or null when none is running (an ended one is cleared).</summary>
    public TimeSpan? Remaining(long now)
    {
        var until = Volatile.Read(ref _until);
        if (until == 0)
        {
            return null;
        }

        if (now < until)
        {
            return time.GetElapsedTime(now, until);
        }

        Interlocked.CompareExchange(ref _until, 0, until);
        return null;
    }

    /// <summary>Starts the cool-down or extends it; a shorter one never cuts a running one short.</summary>
    public void Extend(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return;
        }

        var until = time.GetTimestamp() + (long)(duration.TotalSeconds * time.TimestampFrequency);
        long current;
        do
        {
            current = Volatile.Read(ref _until);
            if (current >= until)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _until, until, current) != current);
    }

    /// <summary>The end of the running cool-down as a timestamp, or 0.</summary>
    public long UntilTimestamp => Volatile.Read(ref _until);
}
