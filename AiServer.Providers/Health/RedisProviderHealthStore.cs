using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace AiServer.Providers.Health;

/// <summary>
/// The fleet's shared provider probes in Redis, on StackExchange.Redis: result hash <c>{p}{health:NAME}</c> (fields
/// <c>at</c>, <c>status</c>, <c>description</c>, <c>data</c>, <c>responseTimeMs</c>, <c>probedBy</c>) and lease
/// <c>{p}{health:NAME}:lease</c> (<c>SET NX PX</c>, value: the holder's instance id). Both keys share the hash tag
/// <c>{health:NAME}</c>, so each script (embedded <c>Health/Lua/*.lua</c>) touches one Redis Cluster slot. Every call is
/// bounded by the timeout it is given; a call that fails or times out throws (<see cref="RedisException"/> or
/// <see cref="TimeoutException"/>) and the caller falls back to probing for itself.
/// </summary>
internal sealed class RedisProviderHealthStore
{
    private static readonly LoadedScript ClaimScript = LoadedScript.Load("claim.lua");
    private static readonly LoadedScript PublishScript = LoadedScript.Load("publish.lua");
    private static readonly LoadedScript ReleaseScript = LoadedScript.Load("release.lua");

    private readonly Lazy<Task<IConnectionMultiplexer>> _connection;
    private readonly string _prefix;
    private readonly TimeProvider _time;

    /// <summary>
    /// The multiplexer is resolved on first use, off the caller's thread: creating it waits up to the connect timeout
    /// for an unreachable Redis, which a health check must not do.
    /// </summary>
    public RedisProviderHealthStore(Func<IConnectionMultiplexer> connect, string keyPrefix, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(connect);
        _connection = new Lazy<Task<IConnectionMultiplexer>>(() => Task.Run(connect), LazyThreadSafetyMode.ExecutionAndPublication);
        _prefix = keyPrefix;
        _time = time;
    }

    /// <summary>The result hash of a provider, <c>{p}{health:NAME}</c>.</summary>
    internal string ResultKey(string provider) => $"{_prefix}{{health:{provider}}}";

    /// <summary>The lease of a provider's probe, <c>{p}{health:NAME}:lease</c>.</summary>
    internal string LeaseKey(string provider) => ResultKey(provider) + ":lease";

    /// <summary>
    /// Reads the shared result and, when it is stale or missing, takes the lease if it is free — in one script, so no
    /// instance can read "stale" after another published and released (which would make a second probe).
    /// </summary>
    /// <param name="provider">The provider.</param>
    /// <param name="instanceId">This instance (the lease's value).</param>
    /// <param name="cacheDuration">How old a result may be and still be served.</param>
    /// <param name="since">0, or only results probed at or after this Redis time (Unix ms); -1: from now on.</param>
    /// <param name="leaseDuration">The lease's PX.</param>
    /// <param name="timeout">Bound of the whole call.</param>
    public async Task<SharedProbeClaim> ClaimAsync(string provider, string instanceId, TimeSpan cacheDuration, long since, TimeSpan leaseDuration, TimeSpan timeout)
    {
        var reply = (RedisResult[])(await EvalAsync(ClaimScript, provider, [instanceId, Ms(cacheDuration), since, Ms(leaseDuration)], timeout).ConfigureAwait(false))!;
        var kind = (string?)reply[0] switch
        {
            "fresh" => SharedProbeClaimKind.Fresh,
            "leased" => SharedProbeClaimKind.Leased,
            _ => SharedProbeClaimKind.Busy,
        };
        return new SharedProbeClaim(kind, Number(reply[1]), (string?)reply[2] ?? string.Empty, ParseResult(reply));
    }

    /// <summary>Stores a probe result (unless a newer one is there) and ends this instance's lease; returns its Redis time (Unix ms) or -1.</summary>
    public async Task<long> PublishAsync(string provider, string instanceId, HealthCheckResult result, TimeSpan probeDuration, TimeSpan retention, TimeSpan timeout)
    {
        var data = JsonSerializer.Serialize(result.Data);
        var duration = Math.Max(0, Math.Round(probeDuration.TotalMilliseconds, 1)).ToString(CultureInfo.InvariantCulture);
        var reply = await EvalAsync(PublishScript, provider, [instanceId, StatusText(result.Status), result.Description ?? string.Empty, data, duration, Ms(retention)], timeout).ConfigureAwait(false);
        return (long)reply;
    }

    /// <summary>Hands back this instance's lease without a result.</summary>
    public async Task ReleaseAsync(string provider, string instanceId, TimeSpan timeout) =>
        await EvalAsync(ReleaseScript, provider, [instanceId], timeout).ConfigureAwait(false);

    internal static string StatusText(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };

    private static SharedProbeResult? ParseResult(RedisResult[] reply)
    {
        var at = (string?)reply[3];
        if (string.IsNullOrEmpty(at) || !long.TryParse(at, NumberStyles.Integer, CultureInfo.InvariantCulture, out var probedAt))
        {
            return null;
        }

        var status = (string?)reply[4] switch
        {
            "healthy" => HealthStatus.Healthy,
            "degraded" => HealthStatus.Degraded,
            _ => HealthStatus.Unhealthy,
        };
        var description = (string?)reply[5];
        _ = double.TryParse((string?)reply[7], NumberStyles.Float, CultureInfo.InvariantCulture, out var responseMs);
        return new SharedProbeResult(
            status,
            string.IsNullOrEmpty(description) ? null : description,
            ParseData((string?)reply[6]),
            TimeSpan.FromMilliseconds(responseMs),
            (string?)reply[8] ?? string.Empty,
            DateTimeOffset.FromUnixTimeMilliseconds(probedAt));
    }

    /// <summary>The probe's details, back as the plain values the health JSON writer prints.</summary>
    private static Dictionary<string, object> ParseData(string? json)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(json))
        {
            return data;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return data;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                var value = property.Value;
                data[property.Name] = value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString()!,
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.Number when value.TryGetInt64(out var whole) => whole,
                    JsonValueKind.Number => value.GetDouble(),
                    _ => value.Clone(),
                };
            }
        }
        catch (JsonException)
        {
            // A result written by something else: its status and message still count, the details are dropped.
        }

        return data;
    }

    private static long Number(RedisResult value) =>
        long.TryParse((string?)value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : 0;

    private static string Ms(TimeSpan value) => ((long)Math.Ceiling(value.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);

    private async Task<RedisResult> EvalAsync(LoadedScript script, string provider, RedisValue[] args, TimeSpan timeout)
    {
        var call = EvalCoreAsync(script, [ResultKey(provider), LeaseKey(provider)], args);
        try
        {
            return await call.WaitAsync(timeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The call goes on (StackExchange.Redis takes no token); its outcome is observed and dropped.
            _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
    }

    private async Task<RedisResult> EvalCoreAsync(LoadedScript script, RedisKey[] keys, RedisValue[] args)
    {
        var connection = await _connection.Value.ConfigureAwait(false);
        if (!connection.IsConnected)
        {
            // Fail fast: no command is queued behind a lost connection.
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not connected.");
        }

        return await script.EvaluateAsync(connection.GetDatabase(), keys, args).ConfigureAwait(false);
    }

    /// <summary>An embedded script, prepared once; sent by SHA1 after the first call, and sent again after NOSCRIPT.</summary>
    private sealed class LoadedScript
    {
        private readonly string _text;

        private LoadedScript(string text) => _text = text;

        public static LoadedScript Load(string file)
        {
            var assembly = typeof(LoadedScript).Assembly;
            var name = assembly.GetManifestResourceNames().SingleOrDefault(n => n.EndsWith(".Health.Lua." + file, StringComparison.Ordinal))
                ?? throw new InvalidOperationException($"The Lua script Health/Lua/{file} is not embedded in {assembly.GetName().Name}.");
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            return new LoadedScript(LuaScript.Prepare(reader.ReadToEnd()).ExecutableScript);
        }

        public async Task<RedisResult> EvaluateAsync(IDatabaseAsync database, RedisKey[] keys, RedisValue[] args)
        {
            try
            {
                return await database.ScriptEvaluateAsync(_text, keys, args).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                return await database.ScriptEvaluateAsync(_text, keys, args).ConfigureAwait(false);
            }
        }
    }
}
