using System.Collections.Concurrent;
using System.Diagnostics;

namespace AiServer.Drills;

/// <summary>
/// The clock of one drill (seconds since its start) and what happened on it: the load generator's requests, breaker
/// states sampled from the services, other sampled values (outbox length, memory) and marked events (fault on, kill).
/// </summary>
internal sealed class Timeline
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public DateTimeOffset Start { get; } = DateTimeOffset.UtcNow;

    public double Now => _clock.Elapsed.TotalSeconds;

    public ConcurrentQueue<RequestSample> Requests { get; } = new();

    public ConcurrentQueue<(double At, string Label)> Events { get; } = new();

    /// <summary>(time, breaker, state) as one api replica reports the fleet's view: CLOSED, HALF_OPEN, OPEN.</summary>
    public ConcurrentQueue<(double At, string Breaker, string State)> BreakerStates { get; } = new();

    public ConcurrentDictionary<string, ConcurrentQueue<(double At, double Value)>> Series { get; } = new(StringComparer.Ordinal);

    public double At(DateTimeOffset time) => (time - Start).TotalSeconds;

    public void Mark(string label, Action<string>? log = null)
    {
        Events.Enqueue((Now, label));
        log?.Invoke($"  t={Now,6:0.0}s  {label}");
    }

    public void Record(string series, double value) => Record(series, Now, value);

    public void Record(string series, double at, double value) => Series.GetOrAdd(series, _ => new()).Enqueue((at, value));
}

/// <summary>One request of the load generator: when it was sent, what it got, how long it took.</summary>
internal sealed record RequestSample(double At, string Kind, int Status, double LatencyMs, string? JobId, string? Error)
{
    /// <summary>202 (or 200 for a job finished within Prefer: wait): the job was accepted.</summary>
    public bool Accepted => Status is 200 or 201 or 202;
}
