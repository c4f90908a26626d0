namespace AiServer.ServiceDefaults.Resilience;

/// <summary>What one breaker saw on this instance (for <see cref="CircuitBreakerStats"/> and the metrics).</summary>
internal sealed class BreakerCounters(string name, ResilienceTelemetry telemetry, TimeProvider time)
{
    private readonly KeyValuePair<string, object?> _nameTag = new("name", name);
    private readonly Lock _lastFailureGate = new();
    private long _calls;
    private long _successes;
    private long _failures;
    private long _rejections;
    private DateTimeOffset? _lastFailureTime;
    private string? _lastFailureReason;

    public long Calls => Interlocked.Read(ref _calls);

    public long Successes => Interlocked.Read(ref _successes);

    public long Failures => Interlocked.Read(ref _failures);

    public long Rejections => Interlocked.Read(ref _rejections);

    public (DateTimeOffset? Time, string? Reason) LastFailure
    {
        get
        {
            lock (_lastFailureGate)
            {
                return (_lastFailureTime, _lastFailureReason);
            }
        }
    }

    public void Call() => Interlocked.Increment(ref _calls);

    public void Success() => Interlocked.Increment(ref _successes);

    public void Failure(string reason)
    {
        Interlocked.Increment(ref _failures);
        telemetry.Failures.Add(1, _nameTag);
        var now = time.GetUtcNow();
        lock (_lastFailureGate)
        {
            _lastFailureTime = now;
            _lastFailureReason = reason;
        }
    }

    public void Rejection(RejectionReason reason)
    {
        Interlocked.Increment(ref _rejections);
        telemetry.Rejections.Add(1, _nameTag, new("reason", Label(reason)));
    }

    private static string Label(RejectionReason reason) => reason switch
    {
        RejectionReason.Open => "open",
        RejectionReason.HalfOpenProbeBusy => "half_open",
        RejectionReason.ForcedOpen => "forced_open",
        _ => "cooldown",
    };
}
