using Microsoft.Extensions.Logging;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// One named breaker on one instance, put together the way Polly puts its own: a <see cref="BreakerStateController"/>
/// (the state machine, with <see cref="ConsecutiveFailureBehavior"/> deciding when to break), a
/// <see cref="FleetProbeLease"/> for the fleet's HALF_OPEN probe, a <see cref="ThrottleCooldown"/> for 429s, and the
/// fleet link that carries decisions to and from Redis. The hot path reads the immutable snapshot and, when the circuit
/// is CLOSED and healthy, does one interlocked increment and nothing else (no lock, no allocation, no I/O).
/// Without a connected link the same state machine runs locally.
/// </summary>
internal sealed class FleetCircuitBreaker : ICircuitBreaker
{
    /// <summary>Hint given to callers rejected in HALF_OPEN while the fleet's probe runs.</summary>
    internal static readonly TimeSpan HalfOpenRetryAfter = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly BreakerStateController _state;
    private readonly ThrottleCooldown _cooldown;
    private readonly BreakerCounters _counters;
    private readonly string[] _messages;
    private IFleetLink? _link;

    // Fleet-wide failure counting: reports on their way to Redis (all, and those that reached the threshold here), and
    // whether a reset of the fleet's count is on its way (one at a time, not one per success).
    private int _failureReports;
    private int _thresholdReports;
    private int _resetInFlight;

    public FleetCircuitBreaker(string name, CircuitBreakerOptions options, string instanceId, TimeProvider timeProvider, ResilienceTelemetry telemetry, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        Options = options;
        InstanceId = instanceId;
        _time = timeProvider;
        _state = new BreakerStateController(name, instanceId, options, timeProvider, telemetry, logger);
        _cooldown = new ThrottleCooldown(timeProvider);
        _counters = new BreakerCounters(name, telemetry, timeProvider);
        Lease = new FleetProbeLease(name, options, timeProvider, record => ApplyFleet(record));
        Manual = new BreakerManualControl(name, instanceId, options, _state, ApplyCooldownOf, timeProvider, logger);
        // One message per rejection reason, prepared once: a rejection formats nothing.
        _messages = [.. Enum.GetValues<RejectionReason>().Select(r => CircuitBreakerRejectedException.CreateMessage(name, r))];
    }

    public string Name { get; }

    public CircuitBreakerOptions Options { get; }

    public string InstanceId { get; }

    public CircuitState State => _state.Snapshot.Effective(_time.GetTimestamp());

    internal BreakerSnapshot Snapshot => _state.Snapshot;

    internal FleetProbeLease Lease { get; }

    internal BreakerManualControl Manual { get; }

    FleetCircuitBreaker ICircuitBreaker.Fleet => this;

    internal (ManualAction Action, string? Reason)? PendingManual => _state.PendingManual;

    internal bool HasPendingManual => _state.PendingManual is not null;

    /// <summary>What is left of the 429 cool-down on this instance, or null when there is none.</summary>
    internal TimeSpan? CooldownRemaining => _cooldown.Remaining(_time.GetTimestamp());

    private IFleetLink? ConnectedLink => _link is { IsConnected: true } link ? link : null;

    internal void Attach(IFleetLink link) => _link = link;

    /// <summary>The hot path: decides whether a call may run.</summary>
    internal Permit TryEnter(out CircuitBreakerRejectedException? rejection)
    {
        var snapshot = _state.Snapshot;
        if (snapshot.IsPlainClosed && _cooldown.IsIdle)
        {
            _counters.Call();
            rejection = null;
            return Permit.Normal;
        }

        return EnterSlow(snapshot, out rejection);
    }

    private Permit EnterSlow(BreakerSnapshot snapshot, out CircuitBreakerRejectedException? rejection)
    {
        var now = _time.GetTimestamp();
        if (_cooldown.Remaining(now) is { } cooldown)
        {
            return Reject(RejectionReason.Cooldown, cooldown, out rejection);
        }

        if (snapshot.Forced == ForcedState.Open)
        {
            return Reject(RejectionReason.ForcedOpen, null, out rejection);
        }

        if (snapshot.Forced == ForcedState.Closed || snapshot.State == CircuitState.Closed)
        {
            return Admit(Permit.Normal, out rejection);
        }

        if (snapshot.State == CircuitState.Open && now < snapshot.OpenUntilTimestamp)
        {
            return Reject(RejectionReason.Open, _time.GetElapsedTime(now, snapshot.OpenUntilTimestamp), out rejection);
        }

        // HALF_OPEN (stored, or an OPEN whose recovery timeout has passed).
        if (ConnectedLink is { } link)
        {
            if (Lease.TryUse())
            {
                return Admit(Permit.FleetProbe, out rejection);
            }

            Lease.OnDemand(link, now);
            return Reject(RejectionReason.HalfOpenProbeBusy, HalfOpenRetryAfter, out rejection);
        }

        _state.BeginLocalHalfOpen(snapshot);
        return _state.TryEnterLocalProbe()
            ? Admit(Permit.LocalProbe, out rejection)
            : Reject(RejectionReason.HalfOpenProbeBusy, HalfOpenRetryAfter, out rejection);
    }

    private Permit Admit(Permit permit, out CircuitBreakerRejectedException? rejection)
    {
        _counters.Call();
        rejection = null;
        return permit;
    }

    private Permit Reject(RejectionReason reason, TimeSpan? retryAfter, out CircuitBreakerRejectedException? rejection)
    {
        _counters.Rejection(reason);
        rejection = new CircuitBreakerRejectedException(Name, reason, retryAfter, _messages[(int)reason]);
        return Permit.Rejected;
    }

    /// <summary>Records the outcome of an admitted call. <paramref name="failureReason"/> is null for a success (or a result not handled as failure).</summary>
    internal void OnCompleted(Permit permit, string? failureReason)
    {
        if (permit == Permit.Rejected)
        {
            return;
        }

        if (failureReason is null)
        {
            _counters.Success();
        }
        else
        {
            _counters.Failure(failureReason);
        }

        switch (permit)
        {
            case Permit.Normal when failureReason is null:
                _state.OnSuccess();
                // The fleet's count needs a reset only while it may be above zero: the healthy path reads two fields.
                if (_state.Snapshot.FleetFailures != 0 || Volatile.Read(ref _failureReports) != 0)
                {
                    ResetFleetFailures();
                }

                break;
            case Permit.Normal:
                if (_state.OnFailure(failureReason, out var tripReason) && ConnectedLink is { } link)
                {
                    ReportFailure(link, failureReason, tripReason);
                }

                break;
            case Permit.LocalProbe:
                _state.ExitLocalProbe();
                _state.JudgeProbe(failureReason);
                break;
            default:
                OnFleetProbeCompleted(failureReason);
                break;
        }
    }

    /// <summary>
    /// Counts a failure fleet-wide (off the caller's path). When this instance's own count reached the threshold
    /// (<paramref name="tripReason"/>, it opened here already) the report asks the fleet to open at once; until its
    /// answer arrives, CLOSED records do not undo that OPEN. A method of its own: a lambda capturing locals inside
    /// <see cref="OnCompleted"/> would allocate its closure on every call, success included.
    /// </summary>
    private void ReportFailure(IFleetLink link, string failureReason, string? tripReason)
    {
        var reachedThreshold = tripReason is not null;
        var reason = tripReason ?? $"{Options.FailureThreshold} consecutive failures across the fleet, last: {failureReason}";
        Interlocked.Increment(ref _failureReports);
        if (reachedThreshold)
        {
            Interlocked.Increment(ref _thresholdReports);
        }

        _ = ReportFailureAsync(link, reason, reachedThreshold);
    }

    private async Task ReportFailureAsync(IFleetLink link, string reason, bool reachedThreshold)
    {
        try
        {
            var record = await link.ExchangeAsync(Name, reachedThreshold ? "trip" : "failure", (store, ct) => store.ReportFailureAsync(Name, link.InstanceId, reason, reachedThreshold, Options, ct)).ConfigureAwait(false);
            if (record is not null)
            {
                // The threshold report's own answer decides (OPEN, or CLOSED when the quorum was not met).
                ApplyCooldownOf(record);
                _state.Apply(record, authoritative: false, holdLocalOpen: !reachedThreshold && Volatile.Read(ref _thresholdReports) != 0);
            }
        }
        finally
        {
            if (reachedThreshold)
            {
                Interlocked.Decrement(ref _thresholdReports);
            }

            Interlocked.Decrement(ref _failureReports);
        }
    }

    /// <summary>A success while the fleet counts failures: one reset write at a time, fire-and-forget.</summary>
    private void ResetFleetFailures()
    {
        if (ConnectedLink is not { } link || Interlocked.CompareExchange(ref _resetInFlight, 1, 0) != 0)
        {
            return;
        }

        _ = ResetFleetFailuresAsync(link);
    }

    private async Task ResetFleetFailuresAsync(IFleetLink link)
    {
        try
        {
            await ExchangeAsync(link, "failure-reset", (store, ct) => store.ResetFailuresAsync(Name, ct)).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _resetInFlight, 0);
        }
    }

    private void OnFleetProbeCompleted(string? failureReason)
    {
        if (failureReason is not null)
        {
            _state.OpenAfterProbeFailure(failureReason);
        }

        if (ConnectedLink is { } link)
        {
            Lease.Report(link, failureReason is null, failureReason);
            return;
        }

        // Cut off from the fleet: judged here; the Redis lease goes back (best effort) rather than block its slot.
        Lease.Release(_link);
        _state.JudgeProbe(failureReason);
    }

    /// <summary>
    /// A call cancelled by its caller, or throttled by the provider (429), says nothing about the provider's health:
    /// no success, no failure (the consecutive-failure count stays), and a probe slot goes back without a verdict.
    /// </summary>
    internal void ReleaseUnjudged(Permit permit)
    {
        if (permit == Permit.LocalProbe)
        {
            _state.ExitLocalProbe();
        }
        else if (permit == Permit.FleetProbe)
        {
            Lease.Release(_link);
        }
    }

    /// <summary>Starts (or extends) the 429 cool-down on this instance.</summary>
    internal void ApplyCooldown(TimeSpan duration) => _cooldown.Extend(duration);

    /// <summary>Reports a 429: the cool-down starts here at once and is shared with the fleet.</summary>
    internal void ReportThrottled(TimeSpan duration)
    {
        _cooldown.Extend(duration);
        if (ConnectedLink is { } link)
        {
            _ = ExchangeAsync(link, "cooldown", (store, ct) => store.SetCooldownAsync(Name, duration, link.InstanceId, ct));
        }
    }

    /// <summary>
    /// Applies a fleet record (see <see cref="BreakerStateController.Apply"/>); its cool-down applies here too. While
    /// this instance's threshold report is on its way, its local OPEN holds against CLOSED records.
    /// </summary>
    internal bool ApplyFleet(FleetStateRecord record, bool authoritative = false)
    {
        ArgumentNullException.ThrowIfNull(record);
        ApplyCooldownOf(record);
        return _state.Apply(record, authoritative, holdLocalOpen: Volatile.Read(ref _thresholdReports) != 0);
    }

    private void ApplyCooldownOf(FleetStateRecord record)
    {
        if (record.CooldownRemainingMs > 0)
        {
            _cooldown.Extend(TimeSpan.FromMilliseconds(record.CooldownRemainingMs));
        }
    }

    /// <inheritdoc cref="BreakerStateController.NeedsPush"/>
    internal bool NeedsPush(FleetStateRecord fleet) => _state.NeedsPush(fleet);

    public async ValueTask<T> ExecuteAsync<T>(Func<CancellationToken, ValueTask<T>> action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        var permit = TryEnter(out var rejection);
        if (permit == Permit.Rejected)
        {
            throw rejection!;
        }

        try
        {
            var result = await action(cancellationToken).ConfigureAwait(false);
            OnCompleted(permit, null);
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            ReleaseUnjudged(permit);
            throw;
        }
        catch (Exception ex)
        {
            OnCompleted(permit, ex.GetType().Name);
            throw;
        }
    }

    public Task ForceOpenAsync(string? reason = null, CancellationToken cancellationToken = default) =>
        ManualAsync(ManualAction.ForceOpen, reason, cancellationToken);

    public Task ForceCloseAsync(string? reason = null, CancellationToken cancellationToken = default) =>
        ManualAsync(ManualAction.ForceClose, reason, cancellationToken);

    public Task ResetAsync(CancellationToken cancellationToken = default) =>
        ManualAsync(ManualAction.Reset, null, cancellationToken);

    private Task ManualAsync(ManualAction action, string? reason, CancellationToken cancellationToken) =>
        Manual.ApplyAsync(action, reason, ConnectedLink, cancellationToken);

    private async Task ExchangeAsync(IFleetLink link, string operation, Func<IFleetStateStore, CancellationToken, Task<FleetStateRecord>> call)
    {
        if (await link.ExchangeAsync(Name, operation, call).ConfigureAwait(false) is { } record)
        {
            ApplyFleet(record);
        }
    }

    public CircuitBreakerStats GetStats()
    {
        var snapshot = _state.Snapshot;
        var now = _time.GetTimestamp();
        var state = snapshot.Effective(now);
        var utcNow = _time.GetUtcNow();
        var (lastFailureTime, lastFailureReason) = _counters.LastFailure;
        var cooldown = _cooldown.Remaining(now);
        return new CircuitBreakerStats
        {
            Name = Name,
            State = state,
            Forced = snapshot.Forced,
            Version = snapshot.Version,
            Source = snapshot.IsLocal ? "local" : "fleet",
            ConsecutiveFailures = _state.ConsecutiveFailures,
            FleetConsecutiveFailures = ConnectedLink is not null && !snapshot.IsLocal ? snapshot.FleetFailures : null,
            Failures = _counters.Failures,
            Successes = _counters.Successes,
            Calls = _counters.Calls,
            Rejections = _counters.Rejections,
            LastFailureTime = lastFailureTime,
            LastFailureReason = lastFailureReason,
            OpenedBy = snapshot.OpenedBy,
            OpenReason = snapshot.Reason,
            NextAttemptTime = state == CircuitState.Open && snapshot.Forced == ForcedState.None
                ? utcNow + _time.GetElapsedTime(now, snapshot.OpenUntilTimestamp)
                : null,
            CooldownUntil = cooldown is { } left ? utcNow + left : null,
            Options = Options,
        };
    }
}
