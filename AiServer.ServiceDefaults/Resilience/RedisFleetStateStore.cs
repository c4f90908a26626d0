using System.Globalization;
using StackExchange.Redis;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// The fleet state in Redis, on StackExchange.Redis: hash <c>{p}{cb:NAME}</c>, reporters <c>{p}{cb:NAME}:reporters</c>,
/// probe leases <c>{p}{cb:NAME}:probe</c>, cool-down <c>{p}{cb:NAME}:cooldown</c> (one hash tag per breaker, so each
/// script's keys share a Redis Cluster slot), channel <c>{p}cb:events</c>. Every change is one Lua script (embedded
/// <c>Resilience/Lua/*.lua</c>) on Redis's clock that bumps the version and publishes the same JSON record it returns.
/// </summary>
internal sealed class RedisFleetStateStore : IFleetStateStore
{
    private static readonly FleetScript ReadScript = FleetScript.Load("read.lua");
    private static readonly FleetScript TripScript = FleetScript.Load("trip.lua");
    private static readonly FleetScript FailureScript = FleetScript.Load("failure.lua");
    private static readonly FleetScript FailureResetScript = FleetScript.Load("failure_reset.lua");
    private static readonly FleetScript ProbeAcquireScript = FleetScript.Load("probe_acquire.lua");
    private static readonly FleetScript ProbeResultScript = FleetScript.Load("probe_result.lua");
    private static readonly FleetScript ProbeReleaseScript = FleetScript.Load("probe_release.lua");
    private static readonly FleetScript ManualScript = FleetScript.Load("manual.lua");
    private static readonly FleetScript CooldownScript = FleetScript.Load("cooldown.lua");

    private readonly Lazy<IConnectionMultiplexer> _connection;
    private readonly string _prefix;
    private readonly RedisChannel _channel;

    /// <summary>
    /// The connection is resolved on first use, from the sync's background work: creating the multiplexer waits up to
    /// the connect timeout for an unreachable Redis, which must not hold up the host's start.
    /// </summary>
    public RedisFleetStateStore(Lazy<IConnectionMultiplexer> connection, string keyPrefix)
    {
        _connection = connection;
        _prefix = keyPrefix;
        Channel = keyPrefix + "cb:events";
        _channel = RedisChannel.Literal(Channel);
    }

    public string Channel { get; }

    /// <summary>The state hash of a breaker, <c>{p}{cb:NAME}</c>; the other keys of the breaker add a suffix to it.</summary>
    internal string StateKey(string name) => $"{_prefix}{{cb:{name}}}";

    private RedisKey[] Keys(string name)
    {
        var key = StateKey(name);
        return [key, key + ":reporters", key + ":probe", key + ":cooldown"];
    }

    private RedisValue[] Args(string name, params ReadOnlySpan<RedisValue> extra) => [Channel, name, .. extra];

    private static string Ms(TimeSpan value) => ((long)Math.Ceiling(value.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);

    public async Task<FleetStateRecord> ReadAsync(string name, CancellationToken cancellationToken) =>
        Record(await EvalAsync(ReadScript, name, Args(name), cancellationToken).ConfigureAwait(false));

    public async Task<FleetStateRecord> ReportFailureAsync(string name, string instanceId, string reason, bool reachedThreshold, CircuitBreakerOptions options, CancellationToken cancellationToken) =>
        Record(await EvalAsync(FailureScript, name, Args(name, instanceId, Truncate(reason), options.FailureThreshold, Ms(options.RecoveryTimeout), Ms(options.MonitoringPeriod), options.MinimumReporters, options.HalfOpenMaxProbes, reachedThreshold ? "1" : "0"), cancellationToken).ConfigureAwait(false));

    public async Task<FleetStateRecord> ResetFailuresAsync(string name, CancellationToken cancellationToken) =>
        Record(await EvalAsync(FailureResetScript, name, Args(name), cancellationToken).ConfigureAwait(false));

    public async Task<FleetStateRecord> ReportTripAsync(string name, string instanceId, string reason, CircuitBreakerOptions options, CancellationToken cancellationToken) =>
        Record(await EvalAsync(TripScript, name, Args(name, instanceId, Truncate(reason), Ms(options.RecoveryTimeout), Ms(options.MonitoringPeriod), options.MinimumReporters, options.HalfOpenMaxProbes), cancellationToken).ConfigureAwait(false));

    public async Task<FleetStateRecord> ReportProbeAsync(string name, string instanceId, int slot, bool success, string? reason, CircuitBreakerOptions options, CancellationToken cancellationToken) =>
        Record(await EvalAsync(ProbeResultScript, name, Args(name, instanceId, slot, success ? "1" : "0", Truncate(reason ?? string.Empty), options.SuccessThreshold, Ms(options.RecoveryTimeout), options.HalfOpenMaxProbes), cancellationToken).ConfigureAwait(false));

    public async Task<ProbeLease> TryAcquireProbeAsync(string name, string instanceId, CircuitBreakerOptions options, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var result = await EvalAsync(ProbeAcquireScript, name, Args(name, instanceId, Ms(leaseDuration), options.HalfOpenMaxProbes), cancellationToken).ConfigureAwait(false);
        var items = (RedisResult[])result!;
        return new ProbeLease((int)items[0], Record(items[1]));
    }

    public async Task ReleaseProbeAsync(string name, int slot, string instanceId, CancellationToken cancellationToken) =>
        await EvalAsync(ProbeReleaseScript, name, Args(name, instanceId, slot), cancellationToken).ConfigureAwait(false);

    public async Task<FleetStateRecord> ApplyManualAsync(string name, ManualAction action, string instanceId, string? reason, CircuitBreakerOptions options, CancellationToken cancellationToken)
    {
        var verb = action switch
        {
            ManualAction.ForceOpen => "force-open",
            ManualAction.ForceClose => "force-close",
            _ => "reset",
        };
        return Record(await EvalAsync(ManualScript, name, Args(name, instanceId, verb, Truncate(reason ?? string.Empty), options.HalfOpenMaxProbes), cancellationToken).ConfigureAwait(false));
    }

    public async Task<FleetStateRecord> SetCooldownAsync(string name, TimeSpan duration, string instanceId, CancellationToken cancellationToken) =>
        Record(await EvalAsync(CooldownScript, name, Args(name, instanceId, Ms(duration)), cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Subscribes through the multiplexer's one subscriber connection; StackExchange.Redis re-subscribes by itself after
    /// a reconnect (or a cluster failover). Disposing the result removes exactly this handler.
    /// </summary>
    public async Task<IAsyncDisposable> SubscribeAsync(Action<FleetStateRecord> onChange, CancellationToken cancellationToken)
    {
        var subscriber = _connection.Value.GetSubscriber();
        Action<RedisChannel, RedisValue> handler = (_, message) =>
        {
            if (FleetRecordWire.TryParse(message, out var record))
            {
                onChange(record);
            }
        };
        await subscriber.SubscribeAsync(_channel, handler).WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Subscription(subscriber, _channel, handler);
    }

    private Task<RedisResult> EvalAsync(FleetScript script, string name, RedisValue[] args, CancellationToken cancellationToken) =>
        script.EvaluateAsync(_connection.Value.GetDatabase(), Keys(name), args, cancellationToken);

    private static FleetStateRecord Record(RedisResult result) => FleetRecordWire.Parse((string?)result);

    private static string Truncate(string text) => text.Length <= 256 ? text : text[..256];

    private sealed class Subscription(ISubscriber subscriber, RedisChannel channel, Action<RedisChannel, RedisValue> handler) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await subscriber.UnsubscribeAsync(channel, handler).ConfigureAwait(false);
            }
            catch (RedisException)
            {
                // Redis is gone: the handler is removed locally all the same, and the server forgets the connection.
            }
        }
    }
}
