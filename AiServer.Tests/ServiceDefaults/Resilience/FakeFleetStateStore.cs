using System.Collections.Concurrent;
using AiServer.ServiceDefaults.Resilience;

namespace AiServer.Tests.ServiceDefaults.Resilience;

/// <summary>
/// An in-memory fleet store for the sync service's own logic (failures, leases, replays). It records every call by
/// operation name and fails the ones <see cref="Fail"/> names; the Lua semantics are tested against a real Redis.
/// </summary>
internal sealed class FakeFleetStateStore : IFleetStateStore
{
    private readonly ConcurrentDictionary<string, FleetStateRecord> _records = new(StringComparer.Ordinal);
    private long _version = 1000;

    /// <summary>Operations in order: <c>read</c>, <c>failure</c>, <c>failure-reset</c>, <c>trip</c>, <c>probe-result</c>, <c>lease</c>, <c>release:{slot}</c>, <c>manual:{action}</c>, <c>cooldown</c>, <c>subscribe</c>.</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Returns the exception an operation (by the name in <see cref="Calls"/>, without the suffix) throws, or null.</summary>
    public Func<string, Exception?> Fail { get; set; } = _ => null;

    /// <summary>The slot <c>TryAcquireProbeAsync</c> hands out (-1: busy).</summary>
    public int LeaseSlot { get; set; }

    /// <summary>Replaces what <c>SubscribeAsync</c> does after recording the handler.</summary>
    public Func<Action<FleetStateRecord>, CancellationToken, Task<IAsyncDisposable>>? OnSubscribe { get; set; }

    public ConcurrentQueue<Action<FleetStateRecord>> Handlers { get; } = new();

    public int Count(string call) => Calls.Count(c => c == call);

    public void Set(FleetStateRecord record) => _records[record.Name] = record with { Exists = true };

    public FleetStateRecord Get(string name) => _records.TryGetValue(name, out var record) ? record : FleetStateRecord.Missing(name);

    private void Enter(string call, string operation)
    {
        Calls.Enqueue(call);
        if (Fail(operation) is { } error)
        {
            throw error;
        }
    }

    public Task<FleetStateRecord> ReadAsync(string name, CancellationToken cancellationToken)
    {
        Enter("read", "read");
        return Task.FromResult(Get(name));
    }

    public Task<FleetStateRecord> ReportFailureAsync(string name, string instanceId, string reason, bool reachedThreshold, CircuitBreakerOptions options, CancellationToken cancellationToken)
    {
        Enter("failure", "failure");
        return Task.FromResult(Get(name));
    }

    public Task<FleetStateRecord> ResetFailuresAsync(string name, CancellationToken cancellationToken)
    {
        Enter("failure-reset", "failure-reset");
        return Task.FromResult(Get(name));
    }

    public Task<FleetStateRecord> ReportTripAsync(string name, string instanceId, string reason, CircuitBreakerOptions options, CancellationToken cancellationToken)
    {
        Enter("trip", "trip");
        var record = new FleetStateRecord { Name = name, Exists = true, State = CircuitState.Open, Version = Interlocked.Increment(ref _version), OpenRemainingMs = (long)options.RecoveryTimeout.TotalMilliseconds, OpenedBy = instanceId, Reason = reason };
        Set(record);
        return Task.FromResult(record);
    }

    public Task<FleetStateRecord> ReportProbeAsync(string name, string instanceId, int slot, bool success, string? reason, CircuitBreakerOptions options, CancellationToken cancellationToken)
    {
        Enter("probe-result", "probe-result");
        return Task.FromResult(Get(name));
    }

    public Task<ProbeLease> TryAcquireProbeAsync(string name, string instanceId, CircuitBreakerOptions options, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        Enter("lease", "lease");
        return Task.FromResult(new ProbeLease(LeaseSlot, Get(name)));
    }

    public Task ReleaseProbeAsync(string name, int slot, string instanceId, CancellationToken cancellationToken)
    {
        Enter($"release:{slot}", "release");
        return Task.CompletedTask;
    }

    public Task<FleetStateRecord> ApplyManualAsync(string name, ManualAction action, string instanceId, string? reason, CircuitBreakerOptions options, CancellationToken cancellationToken)
    {
        Enter($"manual:{action}", "manual");
        var record = action switch
        {
            ManualAction.ForceOpen => new FleetStateRecord { Name = name, State = CircuitState.Open, Forced = ForcedState.Open, OpenedBy = instanceId, Reason = reason },
            ManualAction.ForceClose => new FleetStateRecord { Name = name, State = CircuitState.Closed, Forced = ForcedState.Closed, OpenedBy = instanceId, Reason = reason },
            _ => new FleetStateRecord { Name = name, State = CircuitState.Closed },
        };
        record = record with { Exists = true, Version = Interlocked.Increment(ref _version) };
        Set(record);
        return Task.FromResult(record);
    }

    public Task<FleetStateRecord> SetCooldownAsync(string name, TimeSpan duration, string instanceId, CancellationToken cancellationToken)
    {
        Enter("cooldown", "cooldown");
        return Task.FromResult(Get(name));
    }

    public Task<IAsyncDisposable> SubscribeAsync(Action<FleetStateRecord> onChange, CancellationToken cancellationToken)
    {
        Enter("subscribe", "subscribe");
        Handlers.Enqueue(onChange);
        return OnSubscribe is { } subscribe ? subscribe(onChange, cancellationToken) : Task.FromResult<IAsyncDisposable>(new Unsubscriber(this, onChange));
    }

    /// <summary>Delivers a record to every registered handler, as pub/sub would.</summary>
    public void Publish(FleetStateRecord record)
    {
        foreach (var handler in Handlers)
        {
            handler(record);
        }
    }

    internal sealed class Unsubscriber(FakeFleetStateStore owner, Action<FleetStateRecord> handler) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            var kept = owner.Handlers.Where(h => h != handler).ToList();
            owner.Handlers.Clear();
            foreach (var h in kept)
            {
                owner.Handlers.Enqueue(h);
            }

            return default;
        }
    }
}
