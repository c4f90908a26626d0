using Microsoft.Extensions.Logging;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// The state machine of one breaker on this instance (Polly's <c>CircuitStateController</c>): an immutable
/// <see cref="BreakerSnapshot"/> that readers take without a lock, and every change of it under one lock — local
/// decisions (trip, recovery, probe verdicts, operator actions) and fleet records, which win by version. Logs and
/// counts each transition once.
/// </summary>
internal sealed class BreakerStateController
{
    private readonly string _name;
    private readonly string _instanceId;
    private readonly CircuitBreakerOptions _options;
    private readonly TimeProvider _time;
    private readonly ResilienceTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly KeyValuePair<string, object?> _nameTag;
    private readonly Lock _gate = new();
    private readonly ConsecutiveFailureBehavior _failures;
    private volatile BreakerSnapshot _snapshot = BreakerSnapshot.InitialClosed;

    // Guarded by _gate.
    private int _halfOpenSuccesses;
    private (ManualAction Action, string? Reason)? _pendingManual;

    private int _localProbes;

    public BreakerStateController(string name, string instanceId, CircuitBreakerOptions options, TimeProvider time, ResilienceTelemetry telemetry, ILogger logger)
    {
        _name = name;
        _instanceId = instanceId;
        _options = options;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
        _nameTag = new("name", name);
        _failures = new ConsecutiveFailureBehavior(options, time);
    }

    public BreakerSnapshot Snapshot => _snapshot;

    public int ConsecutiveFailures
    {
        get
        {
            lock (_gate)
            {
                return _failures.Count;
            }
        }
    }

    /// <summary>An operator's action taken here that Redis has not confirmed yet (it holds over fleet records until then).</summary>
    public (ManualAction Action, string? Reason)? PendingManual
    {
        get
        {
            lock (_gate)
            {
                return _pendingManual;
            }
        }
    }

    /// <summary>A success in CLOSED resets the failure count (no lock while there is nothing to reset).</summary>
    public void OnSuccess()
    {
        if (_failures.HasFailures)
        {
            lock (_gate)
            {
                _failures.Reset();
            }
        }
    }

    /// <summary>
    /// Counts a failure in CLOSED. False when it did not count (forced closed, or a call admitted before the circuit
    /// opened). <paramref name="tripReason"/> is set when this instance's own count reached the threshold and opened the
    /// circuit here (the fleet is told with the failure's report).
    /// </summary>
    public bool OnFailure(string reason, out string? tripReason)
    {
        tripReason = null;
        lock (_gate)
        {
            var snapshot = _snapshot;
            if (!snapshot.IsPlainClosed)
            {
                return false;
            }

            var now = _time.GetTimestamp();
            if (_failures.OnFailure(now))
            {
                tripReason = $"{_options.FailureThreshold} consecutive failures, last: {reason}";
                OpenLocally(snapshot.Version, now, tripReason);
            }

            return true;
        }
    }

    /// <summary>Without the fleet: an OPEN circuit whose recovery time has passed becomes HALF_OPEN here.</summary>
    public void BeginLocalHalfOpen(BreakerSnapshot seen)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_snapshot, seen) && seen.State == CircuitState.Open)
            {
                _halfOpenSuccesses = 0;
                SetSnapshot(new BreakerSnapshot(CircuitState.HalfOpen, ForcedState.None, seen.Version, 0, isLocal: true, seen.OpenedBy, seen.Reason), "recovery timeout passed");
            }
        }
    }

    /// <summary>Takes one of the <c>HalfOpenMaxProbes</c> local probe slots.</summary>
    public bool TryEnterLocalProbe()
    {
        if (Interlocked.Increment(ref _localProbes) <= _options.HalfOpenMaxProbes)
        {
            return true;
        }

        Interlocked.Decrement(ref _localProbes);
        return false;
    }

    public void ExitLocalProbe() => Interlocked.Decrement(ref _localProbes);

    /// <summary>A probe judged on this instance: a failure re-opens, <c>SuccessThreshold</c> successes close.</summary>
    public void JudgeProbe(string? failureReason)
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
            else if (++_halfOpenSuccesses >= _options.SuccessThreshold)
            {
                _failures.Reset();
                SetSnapshot(new BreakerSnapshot(CircuitState.Closed, ForcedState.None, snapshot.Version, 0, isLocal: true, null, null), $"{_options.SuccessThreshold} probe successes");
            }
        }
    }

    /// <summary>
    /// The fleet's probe failed here: protect this instance at once (Redis confirms or corrects). Not when an operator's
    /// forced state, or any other decision, replaced HALF_OPEN while the probe ran: that decision stands.
    /// </summary>
    public void OpenAfterProbeFailure(string failureReason)
    {
        lock (_gate)
        {
            var snapshot = _snapshot;
            var now = _time.GetTimestamp();
            if (snapshot.Forced == ForcedState.None && snapshot.Effective(now) == CircuitState.HalfOpen)
            {
                OpenLocally(snapshot.Version, now, $"probe failed: {failureReason}");
            }
        }
    }

    /// <summary>
    /// Applies a fleet record. Newer versions win; an equal version replaces only a local (unconfirmed) state; older
    /// versions are ignored, so a late message can never undo a newer decision. <paramref name="authoritative"/>
    /// (a read of a missing state, a restore, a confirmed manual action) applies regardless.
    /// <paramref name="holdLocalOpen"/> (this instance's own threshold report is on its way): a CLOSED record — a
    /// failure count, or news from before the report arrived — does not undo the OPEN that report stands for; the
    /// report's answer decides.
    /// </summary>
    public bool Apply(FleetStateRecord record, bool authoritative, bool holdLocalOpen = false)
    {
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
                    _logger.StaleIgnored(_name, record.Version, current.Version);
                }

                return false;
            }

            if (holdLocalOpen && !authoritative && current is { IsLocal: true, State: CircuitState.Open, Forced: ForcedState.None }
                && record is { State: CircuitState.Closed, Forced: ForcedState.None })
            {
                return false;
            }

            var now = _time.GetTimestamp();
            var openUntil = record.State == CircuitState.Open
                ? now + (long)(Math.Max(0, record.OpenRemainingMs) / 1000d * _time.TimestampFrequency)
                : 0;
            // The local count is a lower bound of the fleet's: it starts afresh when the fleet's does (a new CLOSED version
            // with no failures: a success somewhere, a close, a reset) or when the circuit leaves OPEN/HALF_OPEN/forced.
            // A new version that only counts failures keeps it, and so does the periodic resync of the same record, or
            // failures spread over more than one resync interval would never add up to the threshold.
            if (record.State == CircuitState.Closed && ((record.Version != current.Version && record.Failures == 0) || !current.IsPlainClosed))
            {
                _failures.Reset();
            }

            if (record.State != CircuitState.HalfOpen)
            {
                _halfOpenSuccesses = 0;
            }

            SetSnapshot(new BreakerSnapshot(record.State, record.Forced, record.Version, openUntil, isLocal: false, record.OpenedBy, record.Reason, record.Failures), record.Reason);
            return true;
        }
    }

    /// <summary>An operator's action: applied here at once and pending until Redis confirms it.</summary>
    public void ApplyManual(ManualAction action, string? reason)
    {
        lock (_gate)
        {
            var version = _snapshot.Version;
            _failures.Reset();
            _halfOpenSuccesses = 0;
            var next = action switch
            {
                ManualAction.ForceOpen => new BreakerSnapshot(CircuitState.Open, ForcedState.Open, version, long.MaxValue, isLocal: true, _instanceId, reason ?? "forced open"),
                ManualAction.ForceClose => new BreakerSnapshot(CircuitState.Closed, ForcedState.Closed, version, 0, isLocal: true, _instanceId, reason ?? "forced closed"),
                _ => new BreakerSnapshot(CircuitState.Closed, ForcedState.None, version, 0, isLocal: true, null, null),
            };
            SetSnapshot(next, next.Reason ?? "reset");
            _pendingManual = (action, reason);
        }
    }

    /// <summary>
    /// Redis has <paramref name="done"/>: clears it and applies Redis's answer — unless a newer action replaced it
    /// meanwhile (that one is written next and its answer applied then).
    /// </summary>
    public void CompleteManual((ManualAction Action, string? Reason) done, FleetStateRecord record)
    {
        lock (_gate)
        {
            if (_pendingManual != done)
            {
                return;
            }

            _pendingManual = null;
            Apply(record, authoritative: false);
        }
    }

    /// <summary>
    /// After Redis comes back: a circuit this instance opened on its own while cut off is pushed to the fleet (with the
    /// quorum rules) when the fleet is plainly CLOSED; anything else adopts the fleet state.
    /// </summary>
    public bool NeedsPush(FleetStateRecord fleet)
    {
        var snapshot = _snapshot;
        return snapshot.IsLocal
            && snapshot.Forced == ForcedState.None
            && snapshot.State == CircuitState.Open
            && _time.GetTimestamp() < snapshot.OpenUntilTimestamp
            && fleet.State == CircuitState.Closed
            && fleet.Forced == ForcedState.None;
    }

    /// <summary>Opens this instance's circuit now (caller holds <see cref="_gate"/>).</summary>
    private void OpenLocally(long version, long now, string reason)
    {
        var until = now + (long)(_options.RecoveryTimeout.TotalSeconds * _time.TimestampFrequency);
        _halfOpenSuccesses = 0;
        SetSnapshot(new BreakerSnapshot(CircuitState.Open, ForcedState.None, version, until, isLocal: true, _instanceId, reason), reason);
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
            _logger.Transition(_name, from, to, next.IsLocal ? "local" : "fleet", next.Version, next.OpenedBy, reason);
        }
    }

    internal static string StateLabel(CircuitState state) => state switch
    {
        CircuitState.Closed => "CLOSED",
        CircuitState.HalfOpen => "HALF_OPEN",
        _ => "OPEN",
    };
}
