using Microsoft.Extensions.Time.Testing;

namespace AiServer.Tests.ServiceDefaults.Resilience;

/// <summary>
/// Microsoft's <see cref="FakeTimeProvider"/> (its clock, its timers), plus the one thing its API does not expose: when
/// the earliest live timer is due. <see cref="BreakerTestHelpers.DriveAsync"/> jumps exactly there (Polly's retry delays,
/// the cool-down), so a test asserts exact delays and far-off timers (attempt and total timeouts) never fire unasked.
/// </summary>
public sealed class TimerTrackingFakeTimeProvider : FakeTimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<TrackedTimer> _timers = [];

    /// <summary>When the earliest live timer is due, or null when none is.</summary>
    public DateTimeOffset? NextTimerDue
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count == 0 ? null : _timers.Min(t => t.DueAt);
            }
        }
    }

    /// <summary>Advances to the earliest live timer if it is due within <paramref name="maxJump"/>; false when there is none.</summary>
    public bool TryAdvanceToNextTimer(TimeSpan maxJump)
    {
        if (NextTimerDue is not { } due || due - GetUtcNow() > maxJump)
        {
            return false;
        }

        var jump = due - GetUtcNow();
        Advance(jump < TimeSpan.Zero ? TimeSpan.Zero : jump);
        return true;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new TrackedTimer(this);
        tracked.Schedule(dueTime, period);
        tracked.Inner = base.CreateTimer(
            s =>
            {
                tracked.Fired();
                callback(s);
            },
            state,
            dueTime,
            period);
        return tracked;
    }

    private sealed class TrackedTimer(TimerTrackingFakeTimeProvider owner) : ITimer
    {
        private TimeSpan _period;

        public ITimer Inner { get; set; } = null!;

        public DateTimeOffset DueAt { get; private set; }

        public void Schedule(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
                _period = period;
                if (dueTime != Timeout.InfiniteTimeSpan)
                {
                    DueAt = owner.GetUtcNow() + dueTime;
                    owner._timers.Add(this);
                }
            }
        }

        public void Fired()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
                if (_period != Timeout.InfiniteTimeSpan && _period > TimeSpan.Zero)
                {
                    DueAt = owner.GetUtcNow() + _period;
                    owner._timers.Add(this);
                }
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Schedule(dueTime, period);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
            }

            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
