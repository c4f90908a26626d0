using System.Collections.Concurrent;
using AiServer.ServiceDefaults.Resilience;

namespace AiServer.Tests.ServiceDefaults.Resilience;

/// <summary>
/// A fleet link that records what a breaker asked of the store (<see cref="Calls"/>: <c>failure</c>, <c>trip</c> (a
/// failure report that reached the threshold here), <c>failure-reset</c>, <c>lease</c>,
/// <c>probe:{slot}:{ok|fail}</c>, <c>release:{slot}</c>, <c>cooldown</c>, <c>manual:{action}</c>) and answers nothing:
/// every exchange ends without a record at once, except the operations in <see cref="Unanswered"/> (a lease request
/// by default; the test grants a lease with <c>breaker.Lease.OnAcquired(slot)</c>), which stay on their way.
/// </summary>
internal sealed class FakeFleetLink : IFleetLink
{
    private readonly RecordingStore _store;

    public FakeFleetLink() => _store = new RecordingStore(Calls);

    public bool IsConnected { get; set; } = true;

    public string InstanceId => "test-instance";

    public FleetSyncOptions Options { get; } = new();

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Operations (as the breaker names them to the link) whose exchange never ends.</summary>
    public HashSet<string> Unanswered { get; } = ["probe-lease"];

    public Task<T?> ExchangeAsync<T>(string breaker, string operation, Func<IFleetStateStore, CancellationToken, Task<T>> call)
    {
        var sent = call(_store, CancellationToken.None);
        if (Unanswered.Contains(operation))
        {
            return new TaskCompletionSource<T?>().Task; // no answer yet
        }

        return Task.FromResult(sent.IsCompletedSuccessfully ? sent.Result : default);
    }

    /// <summary>Records each store call, then fails it as if no answer came.</summary>
    private sealed class RecordingStore(ConcurrentQueue<string> calls) : IFleetStateStore
    {
        private Task<T> Record<T>(string call)
        {
            calls.Enqueue(call);
            return Task.FromException<T>(new TimeoutException("the fake fleet link sends no answers"));
        }

        public Task<FleetStateRecord> ReadAsync(string name, CancellationToken cancellationToken) => Record<FleetStateRecord>("read");

        public Task<FleetStateRecord> ReportFailureAsync(string name, string instanceId, string reason, bool reachedThreshold, CircuitBreakerOptions options, CancellationToken cancellationToken) =>
            Record<FleetStateRecord>(reachedThreshold ? "trip" : "failure");

        public Task<FleetStateRecord> ResetFailuresAsync(string name, CancellationToken cancellationToken) => Record<FleetStateRecord>("failure-reset");

        public Task<FleetStateRecord> ReportTripAsync(string name, string instanceId, string reason, CircuitBreakerOptions options, CancellationToken cancellationToken) =>
            Record<FleetStateRecord>("trip");

        public Task<FleetStateRecord> ReportProbeAsync(string name, string instanceId, int slot, bool success, string? reason, CircuitBreakerOptions options, CancellationToken cancellationToken) =>
            Record<FleetStateRecord>($"probe:{slot}:{(success ? "ok" : "fail")}");

        public Task<ProbeLease> TryAcquireProbeAsync(string name, string instanceId, CircuitBreakerOptions options, TimeSpan leaseDuration, CancellationToken cancellationToken) =>
            Record<ProbeLease>("lease");

        public Task ReleaseProbeAsync(string name, int slot, string instanceId, CancellationToken cancellationToken) => Record<bool>($"release:{slot}");

        public Task<FleetStateRecord> ApplyManualAsync(string name, ManualAction action, string instanceId, string? reason, CircuitBreakerOptions options, CancellationToken cancellationToken) =>
            Record<FleetStateRecord>($"manual:{action}");

        public Task<FleetStateRecord> SetCooldownAsync(string name, TimeSpan duration, string instanceId, CancellationToken cancellationToken) =>
            Record<FleetStateRecord>("cooldown");

        public Task<IAsyncDisposable> SubscribeAsync(Action<FleetStateRecord> onChange, CancellationToken cancellationToken) => Record<IAsyncDisposable>("subscribe");
    }
}
