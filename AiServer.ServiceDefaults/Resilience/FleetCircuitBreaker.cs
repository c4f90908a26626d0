using Microsoft.Extensions.Logging;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// One named breaker on one instance. The hot path reads an immutable <see cref="BreakerSnapshot"/> and, when the
/// circuit is CLOSED and healthy, does one interlocked increment and nothing else (no lock, no allocation, no I/O).
/// Failures are counted locally; reaching the threshold trips the local snapshot at once and asks the fleet (Redis)
/// to open everywhere. Fleet decisions come back through <see cref="ApplyFleet"/> and win by version.
/// Without a connected fleet link the same state machine runs locally.
/// </summary>
internal sealed class FleetCircuitBreaker : ICircuitBreaker
{
    /// <summary>Hint given to callers rejected in HALF_OPEN while the fleet's probe runs.</summary>
    internal static readonly TimeSpan HalfOpenRetryAfter = TimeSpan.FromSeconds(1);

    private const int LeaseNone = 0;
    private const int LeaseAcquiring = 1;
    private const int LeaseGranted = 2;
    private const int LeaseInUse = 3;

    private readonly TimeProvider _time;
    private readonly ResilienceTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly KeyValuePair<string, object?> _nameTag;
    private readonly string[] _messages;

    private volatile BreakerSnapshot _snapshot = BreakerSnapshot.InitialClosed;
    private IFleetLink? _link;
    private long _cooldownUntil;

    // Guarded by _gate.
    private int _consecutiveFailures;
    private long _lastFailureTimestamp;
    private int _halfOpenSuccesses;
    private (ManualAction Action, string? Reason)? _pendingManual;

    private int _localProbes;
    private int _leaseStatus;
    private int _leaseSlot = -1;
    private long _leaseGrantedAt;
    private long _nextLeaseAttempt;
    private long _lastProbeDemand;

    private long _calls;
    private long _successes;
    private long _failures;
    private long _rejections;
    private DateTimeOffset? _lastFailureTime;
    private string? _lastFailureReason;

    public FleetCircuitBreaker(string name, CircuitBreakerOptions options, string instanceId, TimeProvider timeProvider, ResilienceTelemetry telemetry, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        Options = options;
        InstanceId = instanceId;
        _time = timeProvider;
        _telemetry = telemetry;
        _logger = logger;
        _nameTag = new("name", name);
        // One message per rejection reason, prepared once: a rejection formats nothing.
        _messages = [.. Enum.GetValues<RejectionReason>().Select(r => CircuitBreakerRejectedException.CreateMessage(name, r))];
    }

    public string Name { get; }

    public CircuitBreakerOptions Options { get; }

    public string InstanceId { get; }

    public CircuitState State => _snapshot.Effective(_time.GetTimestamp());

    internal BreakerSnapshot Snapshot => _snapshot;

    internal bool HasPendingManual
    {
        get
        {
            lock (_gate)
            {
                return _pendingManual is not null;
            }
        }
    }

    private bool FleetMode => _link is { IsConnected: true };

    internal void Attach(IFleetLink link) => _link = link;

    /// <summary>The hot path: decides whether a call may run.</summary>
    internal Permit TryEnter(out CircuitBreakerRejectedException? rejection)
    {
        var snapshot = _snapshot;
        if (snapshot.IsPlainClosed && Volatile.Read(ref _cooldownUntil) == 0)
        {
            Interlocked.Increment(ref _calls);
            rejection = null;
            return Permit.Normal;
        }

        return EnterSlow(snapshot, out rejection);
    }

    private Permit EnterSlow(BreakerSnapshot snapshot, out CircuitBreakerRejectedException? rejection)
    {
        var now = _time.GetTimestamp();
        var cooldown = Volatile.Read(ref _cooldownUntil);
        if (cooldown != 0)
        {
            if (now < cooldown)
            {
                return Reject(RejectionReason.Cooldown, _time.GetElapsedTime(now, cooldown), out rejection);
            }

            Interlocked.CompareExchange(ref _cooldownUntil, 0, cooldown);
        }

        if (snapshot.Forced == ForcedState.Open)
        {
            return Reject(RejectionReason.ForcedOpen, null, out rejection);
        }

        if (snapshot.Forced == ForcedState.Closed || snapshot.State == CircuitState.Closed)
        {
            Interlocked.Increment(ref _calls);
            rejection = null;
            return Permit.Normal;
        }

        if (snapshot.State == CircuitState.Open && now < snapshot.OpenUntilTimestamp)
        {
            return Reject(RejectionReason.Open, _time.GetElapsedTime(now, snapshot.OpenUntilTimestamp), out rejection);
        }

        // HALF_OPEN (stored, or an OPEN whose recovery timeout has passed).
        if (FleetMode)
        {
            if (Interlocked.CompareExchange(ref _leaseStatus, LeaseInUse, LeaseGranted) == LeaseGranted)
            {
                Interlocked.Increment(ref _calls);
                rejection = null;
                return Permit.FleetProbe;
            }

            Volatile.Write(ref _lastProbeDemand, now);
            if (now >= Volatile.Read(ref _nextLeaseAttempt)
                && Interlocked.CompareExchange(ref _leaseStatus, LeaseAcquiring, LeaseNone) == LeaseNone)
            {
                _link!.RequestProbeLease(this);
            }

            return Reject(RejectionReason.HalfOpenProbeBusy, HalfOpenRetryAfter, out rejection);
        }

        if (snapshot.State == CircuitState.Open)
        {
            lock (_gate)
            {
                if (ReferenceEquals(_snapshot, snapshot))
                {
                    _halfOpenSuccesses = 0;
                    SetSnapshot(new BreakerSnapshot(CircuitState.HalfOpen, ForcedState.None, snapshot.Version, 0, isLocal: true, snapshot.OpenedBy, snapshot.Reason), "recovery timeout passed");
                }
            }
        }

        if (Interlocked.Increment(ref _localProbes) <= Options.HalfOpenMaxProbes)
        {
            Interlocked.Increment(ref _calls);
            rejection = null;
            return Permit.LocalProbe;
        }

        Interlocked.Decrement(ref _localProbes);
        return Reject(RejectionReason.HalfOpenProbeBusy, HalfOpenRetryAfter, out rejection);
    }

    private Permit Reject(RejectionReason reason, TimeSpan? retryAfter, out CircuitBreakerRejectedException rejection)
    {
        Interlocked.Increment(ref _rejections);
        _telemetry.Rejections.Add(1, _nameTag, new("reason", ReasonLabel(reason)));
        rejection = new CircuitBreakerRejectedException(Name, reason, retryAfter, _messages[(int)reason]);
        return Permit.Rejected;
    }

    private static string ReasonLabel(RejectionReason reason) => reason switch
    {
        RejectionReason.Open => "open",
        RejectionReason.HalfOpenProbeBusy => "half_open",
        RejectionReason.ForcedOpen => "forced_open",
        _ => "cooldown",
    };

    /// <summary>Records the outcome of an admitted call. <paramref name="failureReason"/> is null for a success (or a result not handled as failure).</summary>
    internal void OnCompleted(Permit permit, string? failureReason)
    {
        switch (permit)
        {
            case Permit.Normal when failureReason is null:
                Interlocked.Increment(ref _successes);
                if (Volatile.Read(ref _consecutiveFailures) != 0)
                {
                    lock (_gate)
                    {
                        _consecutiveFailures = 0;
                    }
                }

                break;
            case Permit.Normal:
                OnNormalFailure(failureReason);
                break;
            case Permit.LocalProbe:
                Interlocked.Decrement(ref _localProbes);
                OnLocalProbeCompleted(failureReason);
                break;
            case Permit.FleetProbe:
                OnFleetProbeCompleted(failureReason);
                break;
            default:
                break;
        }
    }

    private void RecordFailure(string reason)
    {
        Interlocked.Increment(ref _failures);
        _telemetry.Failures.Add(1, _nameTag);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            _lastFailureTime = now;
            _lastFailureReason = reason;
        }
    }

    private void OnNormalFailure(string reason)
    {
        RecordFailure(reason);
        var tripped = false;
        lock (_gate)
        {
            var snapshot = _snapshot;
            if (!snapshot.IsPlainClosed)
            {
                return; // forced closed, or a call admitted before the circuit opened
            }

            var now = _time.GetTimestamp();
            if (_consecutiveFailures > 0 && _time.GetElapsedTime(_lastFailureTimestamp, now) > Options.MonitoringPeriod)
            {
                _consecutiveFailures = 0;
            }

            _consecutiveFailures++;
            _lastFailureTimestamp = now;
            if (_consecutiveFailures >= Options.FailureThreshold)
            {
                _consecutiveFailures = 0;
                OpenLocally(snapshot.Version, now, $"{Options.FailureThreshold} consecutive failures, last: {reason}");
                tripped = true;
            }
        }

        if (tripped && _link is { IsConnected: true } link)
        {
            link.RequestTrip(this, _snapshot.Reason ?? reason);
        }
    }

    private void OnLocalProbeCompleted(string? failureReason)
    {
        if (failureReason is null)
        {
            Interlocked.Increment(ref _successes);
        }
        else
        {
            RecordFailure(failureReason);
        }

        JudgeLocalProbe(failureReason);
    }

    private void JudgeLocalProbe(string? failureReason)
    {
        lock (_gate)
        {
            var snapshot = _snapshot;
            if (snapshot.State != CircuitState.HalfOpen || snapshot.Forced != ForcedState.None)
            {
                return;
            }

            if (failureReason is not null)
            {
                OpenLocally(snapshot.Version, _time.GetTimestamp(), $"probe failed: {failureReason}");
            }
            else if (++_halfOpenSuccesses >= Options.SuccessThreshold)
            {
                _consecutiveFailures = 0;
                SetSnapshot(new BreakerSnapshot(CircuitState.Closed, ForcedState.None, snapshot.Version, 0, isLocal: true, null, null), $"{Options.SuccessThreshold} probe successes");
            }
        }
    }

    private void OnFleetProbeCompleted(string? failureReason)
    {
        var slot = Volatile.Read(ref _leaseSlot);
        if (failureReason is null)
        {
            Interlocked.Increment(ref _successes);
        }
        else
        {
            RecordFailure(failureReason);
            lock (_gate)
            {
                // Protect this instance at once; Redis confirms (or corrects) through ApplyFleet. Not when an operator's
                // forced state (or any other decision) replaced HALF_OPEN while the probe ran: that decision stands.
                var snapshot = _snapshot;
                var now = _time.GetTimestamp();
                if (snapshot.Forced == ForcedState.None && snapshot.Effective(now) == CircuitState.HalfOpen)
                {
                    OpenLocally(snapshot.Version, now, $"probe failed: {failureReason}");
                }
            }
        }

        if (_link is { IsConnected: true } link)
        {
            link.ReportProbe(this, slot, failureReason is null, failureReason);
        }
        else
        {
            // Cut off from the fleet: judged here; the Redis lease goes back (best effort) rather than block its slot.
            if (_link is { } lost)
            {
                lost.ReleaseProbe(this, slot);
            }
            else
            {
                Volatile.Write(ref _leaseStatus, LeaseNone);
            }

            JudgeLocalProbe(failureReason);
        }
    }

    /// <summary>Called by the fleet sync once a probe report or lease release reached Redis (or failed).</summary>
    internal void OnProbeReported() => Volatile.Write(ref _leaseStatus, LeaseNone);

    /// <summary>Called by the fleet sync with the result of a lease request.</summary>
    internal void OnProbeLease(int slot)
    {
        if (slot >= 0)
        {
            Volatile.Write(ref _leaseSlot, slot);
            Volatile.Write(ref _leaseGrantedAt, _time.GetTimestamp());
            Volatile.Write(ref _leaseStatus, LeaseGranted);
        }
        else
        {
            // Another instance holds the probe: ask again a little later, not on every rejected call.
            Volatile.Write(ref _nextLeaseAttempt, _time.GetTimestamp() + (_time.TimestampFrequency / 20));
            Volatile.Write(ref _leaseStatus, LeaseNone);
        }
    }

    /// <summary>
    /// Whether the background loop should ask for a HALF_OPEN lease: only when calls on this instance were turned away
    /// for lack of one within <paramref name="demandWindow"/> (an idle instance holding the lease would only delay the
    /// probe of a busy one).
    /// </summary>
    internal bool TryBeginLeaseAcquisition(TimeSpan demandWindow)
    {
        var snapshot = _snapshot;
        var now = _time.GetTimestamp();
        var demand = Volatile.Read(ref _lastProbeDemand);
        return snapshot.Forced == ForcedState.None
            && snapshot.Effective(now) == CircuitState.HalfOpen
            && demand != 0
            && _time.GetElapsedTime(demand, now) <= demandWindow
            && now >= Volatile.Read(ref _nextLeaseAttempt)
            && Interlocked.CompareExchange(ref _leaseStatus, LeaseAcquiring, LeaseNone) == LeaseNone;
    }

    /// <summary>Takes back a granted lease that no call used within <paramref name="idle"/>, returning its slot (or -1).</summary>
    internal int TryTakeIdleLease(TimeSpan idle)
    {
        if (Volatile.Read(ref _leaseStatus) != LeaseGranted
            || _time.GetElapsedTime(Volatile.Read(ref _leaseGrantedAt)) < idle
            || Interlocked.CompareExchange(ref _leaseStatus, LeaseNone, LeaseGranted) != LeaseGranted)
        {
            return -1;
        }

        return Volatile.Read(ref _leaseSlot);
    }

    /// <summary>What is left of the 429 cool-down on this instance, or null when there is none.</summary>
    internal TimeSpan? CooldownRemaining
    {
        get
        {
            var until = Volatile.Read(ref _cooldownUntil);
            var now = _time.GetTimestamp();
            return until != 0 && now < until ? _time.GetElapsedTime(now, until) : null;
        }
    }

    /// <summary>Starts (or extends) the 429 cool-down on this instance.</summary>
    internal void ApplyCooldown(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return;
        }

        var until = _time.GetTimestamp() + (long)(duration.TotalSeconds * _time.TimestampFrequency);
        long current;
        do
        {
            current = Volatile.Read(ref _cooldownUntil);
            if (current >= until)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _cooldownUntil, until, current) != current);
    }

    /// <summary>Reports a 429: the cool-down starts here at once and is shared with the fleet.</summary>
    internal void ReportThrottled(TimeSpan duration)
    {
        ApplyCooldown(duration);
        if (_link is { IsConnected: true } link)
        {
            link.ReportCooldown(this, duration);
        }
    }

    /// <summary>
    /// Applies a fleet record. Newer versions win; an equal version replaces only a local (unconfirmed) state;
    /// older versions are ignored, so a late message can never undo a newer decision.
    /// </summary>
    internal bool ApplyFleet(FleetStateRecord record, bool authoritative = false)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.CooldownRemainingMs > 0)
        {
            ApplyCooldown(TimeSpan.FromMilliseconds(record.CooldownRemainingMs));
        }

        lock (_gate)
        {
            if (_pendingManual is not null && !authoritative)
            {
                return false; // an operator's action not yet in Redis holds until it is written (then Redis's answer applies)
            }

            var current = _snapshot;
            if (!authoritative && (record.Version < current.Version || (record.Version == current.Version && !current.IsLocal)))
            {
                if (record.Version < current.Version)
                {
                    _logger.StaleIgnored(Name, record.Version, current.Version);
                }

                return false;
            }

            var now = _time.GetTimestamp();
            var openUntil = record.State == CircuitState.Open
                ? now + (long)(Math.Max(0, record.OpenRemainingMs) / 1000d * _time.TimestampFrequency)
                : 0;
            // A fresh CLOSED decision (a new version, or leaving OPEN/HALF_OPEN/forced) starts the count afresh; the
            // periodic resync of the same CLOSED record must not, or failures spread over more than one resync
            // interval would never add up to the threshold.
            if (record.State == CircuitState.Closed && (record.Version != current.Version || !current.IsPlainClosed))
            {
                _consecutiveFailures = 0;
            }

            if (record.State != CircuitState.HalfOpen)
            {
                _halfOpenSuccesses = 0;
            }

            SetSnapshot(new BreakerSnapshot(record.State, record.Forced, record.Version, openUntil, isLocal: false, record.OpenedBy, record.Reason), record.Reason);
            return true;
        }
    }

    /// <summary>Opens this instance's circuit now (caller holds <see cref="_gate"/>).</summary>
    private void OpenLocally(long version, long now, string reason)
    {
        var until = now + (long)(Options.RecoveryTimeout.TotalSeconds * _time.TimestampFrequency);
        _halfOpenSuccesses = 0;
        SetSnapshot(new BreakerSnapshot(CircuitState.Open, ForcedState.None, version, until, isLocal: true, InstanceId, reason), reason);
    }

    private void SetSnapshot(BreakerSnapshot next, string? reason)
    {
        var previous = _snapshot;
        _snapshot = next;
        var now = _time.GetTimestamp();
        var from = previous.Effective(now);
        var to = next.Effective(now);
        if (from != to || previous.Forced != next.Forced)
        {
            _telemetry.Transitions.Add(1, _nameTag, new("from", StateLabel(from)), new("to", StateLabel(to)));
            _logger.Transition(Name, from, to, next.IsLocal ? "local" : "fleet", next.Version, next.OpenedBy, reason);
        }
    }

    internal static string StateLabel(CircuitState state) => state switch
    {
        CircuitState.Closed => "CLOSED",
        CircuitState.HalfOpen => "HALF_OPEN",
        _ => "OPEN",
    };

    /// <summary>
    /// After Redis comes back: a circuit this instance opened on its own while cut off is pushed to the fleet
    /// (with the quorum rules); anything else adopts the fleet state. Returns true when the local state was pushed.
    /// </summary>
    internal bool NeedsPush(FleetStateRecord fleet)
    {
        var snapshot = _snapshot;
        var now = _time.GetTimestamp();
        return snapshot.IsLocal
            && snapshot.Forced == ForcedState.None
            && snapshot.State == CircuitState.Open
            && now < snapshot.OpenUntilTimestamp
            && fleet.State == CircuitState.Closed
            && fleet.Forced == ForcedState.None;
    }

    internal (ManualAction Action, string? Reason)? PendingManual
    {
        get
        {
            lock (_gate)
            {
                return _pendingManual;
            }
        }
    }

    /// <summary>
    /// Redis has <paramref name="done"/>: clears it and applies Redis's answer — unless a newer action replaced it
    /// meanwhile (that one is written next and its answer applied then).
    /// </summary>
    internal void CompleteManual((ManualAction Action, string? Reason) done, FleetStateRecord record)
    {
        lock (_gate)
        {
            if (_pendingManual != done)
            {
                return;
            }

            _pendingManual = null;
            ApplyFleet(record);
        }
    }

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

    /// <summary>
    /// A call cancelled by its caller, or throttled by the provider (429), says nothing about the provider's health:
    /// no success, no failure (the consecutive-failure count stays), and a probe slot goes back without a verdict.
    /// </summary>
    internal void ReleaseUnjudged(Permit permit)
    {
        if (permit == Permit.LocalProbe)
        {
            Interlocked.Decrement(ref _localProbes);
        }
        else if (permit == Permit.FleetProbe)
        {
            // Hand the lease back rather than keep it for a later call: its PX in Redis runs from the original
            // acquisition, so a probe started on it later could outlive it and overlap another instance's probe.
            // The status stays "in use" until the release is done, so no second lease is asked for meanwhile.
            if (_link is { } link)
            {
                link.ReleaseProbe(this, Volatile.Read(ref _leaseSlot));
            }
            else
            {
                Volatile.Write(ref _leaseStatus, LeaseNone);
            }
        }
    }

    public Task ForceOpenAsync(string? reason = null, CancellationToken cancellationToken = default) =>
        ManualAsync(ManualAction.ForceOpen, reason, cancellationToken);

    public Task ForceCloseAsync(string? reason = null, CancellationToken cancellationToken = default) =>
        ManualAsync(ManualAction.ForceClose, reason, cancellationToken);

    public Task ResetAsync(CancellationToken cancellationToken = default) =>
        ManualAsync(ManualAction.Reset, null, cancellationToken);

    private async Task ManualAsync(ManualAction action, string? reason, CancellationToken cancellationToken)
    {
        _logger.ManualAction(action.ToString(), Name, InstanceId, _time.GetUtcNow(), reason);
        lock (_gate)
        {
            ApplyManualLocally(action, reason);
            _pendingManual = (action, reason);
        }

        if (_link is { IsConnected: true } link)
        {
            // The write does not take the caller's token: an aborted request only stops waiting for it. A write that
            // fails leaves the action pending; the next sync round replays it.
            await link.FlushManualAsync(this).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void ApplyManualLocally(ManualAction action, string? reason)
    {
        var version = _snapshot.Version;
        _consecutiveFailures = 0;
        _halfOpenSuccesses = 0;
        var next = action switch
        {
            ManualAction.ForceOpen => new BreakerSnapshot(CircuitState.Open, ForcedState.Open, version, long.MaxValue, isLocal: true, InstanceId, reason ?? "forced open"),
            ManualAction.ForceClose => new BreakerSnapshot(CircuitState.Closed, ForcedState.Closed, version, 0, isLocal: true, InstanceId, reason ?? "forced closed"),
            _ => new BreakerSnapshot(CircuitState.Closed, ForcedState.None, version, 0, isLocal: true, null, null),
        };
        SetSnapshot(next, next.Reason ?? "reset");
    }

    public CircuitBreakerStats GetStats()
    {
        var snapshot = _snapshot;
        var now = _time.GetTimestamp();
        var state = snapshot.Effective(now);
        var cooldown = Volatile.Read(ref _cooldownUntil);
        var utcNow = _time.GetUtcNow();
        int consecutive;
        DateTimeOffset? lastFailureTime;
        string? lastFailureReason;
        lock (_gate)
        {
            consecutive = _consecutiveFailures;
            lastFailureTime = _lastFailureTime;
            lastFailureReason = _lastFailureReason;
        }

        return new CircuitBreakerStats
        {
            Name = Name,
            State = state,
            Forced = snapshot.Forced,
            Version = snapshot.Version,
            Source = snapshot.IsLocal ? "local" : "fleet",
            ConsecutiveFailures = consecutive,
            Failures = Interlocked.Read(ref _failures),
            Successes = Interlocked.Read(ref _successes),
            Calls = Interlocked.Read(ref _calls),
            Rejections = Interlocked.Read(ref _rejections),
            LastFailureTime = lastFailureTime,
            LastFailureReason = lastFailureReason,
            OpenedBy = snapshot.OpenedBy,
            OpenReason = snapshot.Reason,
            NextAttemptTime = state == CircuitState.Open && snapshot.Forced == ForcedState.None
                ? utcNow + _time.GetElapsedTime(now, snapshot.OpenUntilTimestamp)
                : null,
            CooldownUntil = cooldown != 0 && now < cooldown ? utcNow + _time.GetElapsedTime(now, cooldown) : null,
            Options = Options,
        };
    }
}
