using System.Globalization;
using System.Reflection;
using System.Text.Json;
using AiServer.ServiceDefaults.Redis;
using Microsoft.Extensions.Options;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// The fleet state in Redis: hash <c>{p}cb:{name}</c>, reporters <c>{p}cb:{name}:reporters</c>, probe leases
/// <c>{p}cb:{name}:probe</c>, cool-down <c>{p}cb:{name}:cooldown</c>, channel <c>{p}cb:events</c>. Every change is one
/// Lua script (embedded <c>Resilience/Lua/*.lua</c>, run with EVALSHA) on Redis's clock that bumps the version and publishes.
/// </summary>
internal sealed class RedisFleetStateStore : IFleetStateStore
{
    private static readonly RedisScript ReadScript = Load("read.lua");
    private static readonly RedisScript TripScript = Load("trip.lua");
    private static readonly RedisScript ProbeAcquireScript = Load("probe_acquire.lua");
    private static readonly RedisScript ProbeResultScript = Load("probe_result.lua");
    private static readonly RedisScript ProbeReleaseScript = Load("probe_release.lua");
    private static readonly RedisScript ManualScript = Load("manual.lua");
    private static readonly RedisScript CooldownScript = Load("cooldown.lua");

    private readonly IRedisClient _client;
    private readonly string _prefix;

    public RedisFleetStateStore(IRedisClient client, IOptions<RedisOptions> options)
        : this(client, options.Value.KeyPrefix)
    {
    }

    internal RedisFleetStateStore(IRedisClient client, string keyPrefix)
    {
        _client = client;
        _prefix = keyPrefix;
        Channel = keyPrefix + "cb:events";
    }

    public string Channel { get; }

    internal string StateKey(string name) => $"{_prefix}cb:{name}";

    private string[] Keys(string name)
    {
        var key = StateKey(name);
        return [key, key + ":reporters", key + ":probe", key + ":cooldown"];
    }

    private RedisValue[] Args(string name, params ReadOnlySpan<RedisValue> extra) => [Channel, name, .. extra];

    private static string Ms(TimeSpan value) => ((long)Math.Ceiling(value.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);

    public async Task<FleetStateRecord> ReadAsync(string name, CancellationToken cancellationToken) =>
        Parse(name, await EvalAsync(ReadScript, name, Args(name), cancellationToken).ConfigureAwait(false), 0);

    public async Task<FleetStateRecord> ReportTripAsync(string name, string instanceId, string reason, CircuitBreakerOptions options, CancellationToken cancellationToken) =>
        Parse(name, await EvalAsync(TripScript, name, Args(name, instanceId, Truncate(reason), Ms(options.RecoveryTimeout), Ms(options.MonitoringPeriod), options.MinimumReporters, options.HalfOpenMaxProbes), cancellationToken).ConfigureAwait(false), 0);

    public async Task<FleetStateRecord> ReportProbeAsync(string name, string instanceId, int slot, bool success, string? reason, CircuitBreakerOptions options, CancellationToken cancellationToken) =>
        Parse(name, await EvalAsync(ProbeResultScript, name, Args(name, instanceId, slot, success ? "1" : "0", Truncate(reason ?? string.Empty), options.SuccessThreshold, Ms(options.RecoveryTimeout), options.HalfOpenMaxProbes), cancellationToken).ConfigureAwait(false), 0);

    public async Task<ProbeLease> TryAcquireProbeAsync(string name, string instanceId, CircuitBreakerOptions options, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        var result = await EvalAsync(ProbeAcquireScript, name, Args(name, instanceId, Ms(leaseDuration), options.HalfOpenMaxProbes), cancellationToken).ConfigureAwait(false);
        return new ProbeLease((int)(long)result.Items[0].Value, Parse(name, result, 1));
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
        return Parse(name, await EvalAsync(ManualScript, name, Args(name, instanceId, verb, Truncate(reason ?? string.Empty), options.HalfOpenMaxProbes), cancellationToken).ConfigureAwait(false), 0);
    }

    public async Task<FleetStateRecord> SetCooldownAsync(string name, TimeSpan duration, string instanceId, CancellationToken cancellationToken) =>
        Parse(name, await EvalAsync(CooldownScript, name, Args(name, instanceId, Ms(duration)), cancellationToken).ConfigureAwait(false), 0);

    public async Task<IAsyncDisposable> SubscribeAsync(Action<FleetStateRecord> onChange, CancellationToken cancellationToken) =>
        await _client.GetSubscriber().SubscribeAsync(Channel, (_, message) =>
        {
            if (TryParseMessage((string?)message, out var record))
            {
                onChange(record);
            }
        }, cancellationToken).ConfigureAwait(false);

    private ValueTask<RedisResult> EvalAsync(RedisScript script, string name, RedisValue[] args, CancellationToken cancellationToken) =>
        _client.GetDatabase().ScriptEvaluateAsync(script, Keys(name), args, cancellationToken);

    private static string Truncate(string text) => text.Length <= 256 ? text : text[..256];

    /// <summary>Reads the reply layout of <c>common.lua</c>'s <c>reply()</c> starting at <paramref name="offset"/>.</summary>
    internal static FleetStateRecord Parse(string name, RedisResult result, int offset)
    {
        var items = result.Items;
        string Text(int i) => (string?)items[offset + i].Value ?? string.Empty;
        long Number(int i) => long.Parse(Text(i), NumberStyles.Integer, CultureInfo.InvariantCulture);
        return new FleetStateRecord
        {
            Name = name,
            Exists = Number(0) == 1,
            State = ParseState(Text(1)),
            Version = Number(2),
            OpenRemainingMs = Number(3),
            Forced = ParseForced(Text(4)),
            OpenedBy = NullIfEmpty(Text(5)),
            Reason = NullIfEmpty(Text(6)),
            HalfOpenSuccesses = (int)Number(7),
            CooldownRemainingMs = Number(8),
        };
    }

    /// <summary>Parses a pub/sub message (<c>common.lua</c>'s <c>publish()</c>); false for anything malformed.</summary>
    internal static bool TryParseMessage(string? message, out FleetStateRecord record)
    {
        record = null!;
        if (string.IsNullOrEmpty(message))
        {
            return false;
        }

        try
        {
            using var json = JsonDocument.Parse(message);
            var root = json.RootElement;
            static long Long(JsonElement e) => e.ValueKind == JsonValueKind.Number ? e.GetInt64() : long.Parse(e.GetString()!, NumberStyles.Integer, CultureInfo.InvariantCulture);
            record = new FleetStateRecord
            {
                Name = root.GetProperty("n").GetString()!,
                Exists = true,
                State = ParseState(root.GetProperty("s").GetString()),
                Version = Long(root.GetProperty("v")),
                OpenRemainingMs = Long(root.GetProperty("r")),
                Forced = ParseForced(root.GetProperty("f").GetString()),
                OpenedBy = NullIfEmpty(root.GetProperty("b").GetString()),
                Reason = NullIfEmpty(root.GetProperty("m").GetString()),
                HalfOpenSuccesses = (int)Long(root.GetProperty("h")),
                CooldownRemainingMs = Long(root.GetProperty("c")),
            };
            return true;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or FormatException or InvalidOperationException or OverflowException)
        {
            return false;
        }
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static CircuitState ParseState(string? state) => state switch
    {
        "OPEN" => CircuitState.Open,
        "HALF_OPEN" => CircuitState.HalfOpen,
        _ => CircuitState.Closed,
    };

    private static ForcedState ParseForced(string? forced) => forced switch
    {
        "OPEN" => ForcedState.Open,
        "CLOSED" => ForcedState.Closed,
        _ => ForcedState.None,
    };

    /// <summary>Each script is the shared prelude (<c>common.lua</c>) followed by its own body.</summary>
    private static RedisScript Load(string file) => new(ReadResource("common.lua") + "\n" + ReadResource(file));

    private static string ReadResource(string file)
    {
        var assembly = typeof(RedisFleetStateStore).Assembly;
        var name = assembly.GetManifestResourceNames().SingleOrDefault(n => n.EndsWith(".Resilience.Lua." + file, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The Lua script Resilience/Lua/{file} is not embedded in {assembly.GetName().Name}.");
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
