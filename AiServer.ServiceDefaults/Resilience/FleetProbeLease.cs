namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// This instance's share of a breaker's fleet-wide HALF_OPEN probe: asks the store for a lease (<c>SET NX PX</c>)
/// when calls here want one, lets exactly one call use it, reports that call's verdict or hands the lease back, and
/// returns a lease no call used. It owns its store calls; their answers (fleet records) go to the breaker's state.
/// Lock-free: one status word moves None -> Acquiring -> Granted -> InUse -> None.
/// </summary>
internal sealed class FleetProbeLease(string name, CircuitBreakerOptions options, TimeProvider time, Action<FleetStateRecord> apply)
{
    private const int None = 0;
    private const int Acquiring = 1;
    private const int Granted = 2;
    private const int InUse = 3;

    private int _status;
    private int _slot = -1;
    private long _grantedAt;
    private long _nextAttempt;
    private long _lastDemand;

    /// <summary>The slot of the lease held (or last held) here.</summary>
    public int Slot => Volatile.Read(ref _slot);

    /// <summary>A granted lease goes to this call (the fleet's probe); false when there is none to use.</summary>
    public bool TryUse() => Interlocked.CompareExchange(ref _status, InUse, Granted) == Granted;

    /// <summary>A call here was turned away for lack of a lease: ask the fleet for one (not more than once at a time).</summary>
    public void OnDemand(IFleetLink link, long now)
    {
        Volatile.Write(ref _lastDemand, now);
        if (now >= Volatile.Read(ref _nextAttempt) && Interlocked.CompareExchange(ref _status, Acquiring, None) == None)
        {
            _ = AcquireAsync(link);
        }
    }

    /// <summary>The answer to a lease request: a slot, or -1 when another instance holds the probe.</summary>
    public void OnAcquired(int slot)
    {
        if (slot >= 0)
        {
            Volatile.Write(ref _slot, slot);
            Volatile.Write(ref _grantedAt, time.GetTimestamp());
            Volatile.Write(ref _status, Granted);
        }
        else
        {
            // Another instance holds the probe: ask again a little later, not on every rejected call.
            Volatile.Write(ref _nextAttempt, time.GetTimestamp() + (time.TimestampFrequency / 20));
            Volatile.Write(ref _status, None);
        }
    }

    /// <summary>The probe call ended with a verdict: the fleet closes or re-opens; the lease is free once it answered.</summary>
    public void Report(IFleetLink link, bool success, string? reason) => _ = ReportAsync(link, Slot, success, reason);

    /// <summary>
    /// Hands the lease back without a verdict (a cancelled or throttled call, or one judged locally). Never kept for a
    /// later call: its PX runs from the acquisition, so a later probe could outlive it and overlap another instance's.
    /// The status stays "in use" until the release is done, so no second lease is asked for meanwhile.
    /// </summary>
    public void Release(IFleetLink? link)
    {
        if (link is null)
        {
            Volatile.Write(ref _status, None);
            return;
        }

        _ = ReleaseAsync(link, Slot);
    }

    /// <summary>
    /// The sync's periodic care: a lease no call used within <see cref="FleetSyncOptions.ProbeLeaseIdleRelease"/> goes
    /// back (an idle instance holding it would only delay a busy one's probe); while calls here were turned away within
    /// that window, a lease is asked for even when no new call comes to ask.
    /// </summary>
    public void Tend(IFleetLink link, BreakerSnapshot snapshot)
    {
        var window = link.Options.ProbeLeaseIdleRelease;
        if (ReleaseIfIdle(link, window))
        {
            return;
        }

        var now = time.GetTimestamp();
        var demand = Volatile.Read(ref _lastDemand);
        if (snapshot.Forced == ForcedState.None
            && snapshot.Effective(now) == CircuitState.HalfOpen
            && demand != 0
            && time.GetElapsedTime(demand, now) <= window
            && now >= Volatile.Read(ref _nextAttempt)
            && Interlocked.CompareExchange(ref _status, Acquiring, None) == None)
        {
            _ = AcquireAsync(link);
        }
    }

    /// <summary>Hands back a granted lease that no call used within <paramref name="idle"/>; true when it did.</summary>
    public bool ReleaseIfIdle(IFleetLink link, TimeSpan idle)
    {
        if (Volatile.Read(ref _status) != Granted
            || time.GetElapsedTime(Volatile.Read(ref _grantedAt)) < idle
            || Interlocked.CompareExchange(ref _status, None, Granted) != Granted)
        {
            return false;
        }

        _ = ReleaseSlotAsync(link, Slot);
        return true;
    }

    private async Task AcquireAsync(IFleetLink link)
    {
        // A failed request answers like "no slot": the next demand asks again a little later.
        var lease = await link.ExchangeAsync(name, "probe-lease", (store, ct) =>
            store.TryAcquireProbeAsync(name, link.InstanceId, options, link.Options.ProbeLeaseDuration, ct)).ConfigureAwait(false);
        if (lease.Record is not null)
        {
            apply(lease.Record);
        }

        OnAcquired(lease.Record is null ? -1 : lease.Slot);
    }

    private async Task ReportAsync(IFleetLink link, int slot, bool success, string? reason)
    {
        try
        {
            var record = await link.ExchangeAsync(name, "probe-result", (store, ct) =>
                store.ReportProbeAsync(name, link.InstanceId, slot, success, reason, options, ct)).ConfigureAwait(false);
            if (record is not null)
            {
                apply(record);
            }
        }
        finally
        {
            Volatile.Write(ref _status, None);
        }
    }

    private async Task ReleaseAsync(IFleetLink link, int slot)
    {
        try
        {
            await ReleaseSlotAsync(link, slot).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _status, None);
        }
    }

    /// <summary>Best effort: a lease that could not be handed back expires with its PX.</summary>
    private Task<bool> ReleaseSlotAsync(IFleetLink link, int slot) =>
        link.ExchangeAsync(name, "probe-release", async (store, ct) =>
        {
            await store.ReleaseProbeAsync(name, slot, link.InstanceId, ct).ConfigureAwait(false);
            return true;
        });
}
