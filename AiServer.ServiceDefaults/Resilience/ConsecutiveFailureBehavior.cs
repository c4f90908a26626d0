namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// When to break (Polly's <c>ConsecutiveFailuresCircuitBehavior</c>, with a window): <c>FailureThreshold</c> handled
/// failures in a row, each within <c>MonitoringPeriod</c> of the previous one. A success resets the count. Not
/// thread-safe: <see cref="BreakerStateController"/> calls it under its lock (only <see cref="HasFailures"/> is read
/// without it, so a success on the hot path takes no lock while the count is zero).
/// </summary>
internal sealed class ConsecutiveFailureBehavior(CircuitBreakerOptions options, TimeProvider time)
{
    private int _count;
    private long _lastFailure;

    /// <summary>Failures counted so far.</summary>
    public int Count => _count;

    /// <summary>Whether a success has anything to reset (read without the lock).</summary>
    public bool HasFailures => Volatile.Read(ref _count) != 0;

    /// <summary>Counts a failure at <paramref name="now"/>; true when the threshold is reached (the count starts over).</summary>
    public bool OnFailure(long now)
    {
        if (_count > 0 && time.GetElapsedTime(_lastFailure, now) > options.MonitoringPeriod)
        {
            _count = 0;
        }

        _count++;
        _lastFailure = now;
        if (_count < options.FailureThreshold)
        {
            return false;
        }

        _count = 0;
        return true;
    }

    /// <summary>A success, a fresh CLOSED decision or an operator's action: the count starts over.</summary>
    public void Reset() => _count = 0;
}
