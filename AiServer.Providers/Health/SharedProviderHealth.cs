using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using AiServer.Providers.Telemetry;

namespace AiServer.Providers.Health;

/// <summary>
/// The fleet-shared provider probes: one instance probes a provider per cache period under a Redis lease, the others
/// serve its result. Per check: the claim script answers with the shared result if it is fresh (served, no probe), or
/// gives this instance the lease (it probes, publishes, and the publish ends the lease), or says who holds the lease
/// (this instance polls for that result until the holder's probe deadline has passed, then serves the previous result
/// marked <c>stale</c>). Any Redis failure or a call slower than <see cref="ProviderHealthOptions.SharedTimeout"/>
/// answers null: the caller probes for itself (<see cref="ProbeSource.Local"/>).
/// </summary>
internal sealed class SharedProviderHealth(
    RedisProviderHealthStore? store,
    string instanceId,
    ProviderHealthCache cache,
    IOptions<ProviderHealthOptions> options,
    ProviderMetrics metrics,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>How often a waiting instance asks again for the lease holder's result.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>This instance, as <c>probedBy</c> and the lease's value name it.</summary>
    public string InstanceId => instanceId;

    /// <summary>Redis is configured and sharing is on (<see cref="ProviderHealthOptions.Shared"/>).</summary>
    public bool Enabled => store is not null && options.Value.Shared;

    /// <summary>
    /// The lease's lifetime: the probe's deadline plus two Redis calls (taking it and publishing), so it outlives any
    /// probe whose holder is alive, and a crashed holder's lease expires on its own soon after.
    /// </summary>
    internal TimeSpan LeaseDuration => options.Value.ProbeTimeout + (2 * options.Value.SharedTimeout);

    /// <summary>How long a shared result stays in Redis: ten cache periods, at least 10 minutes (served, marked stale, while a probe is late).</summary>
    internal TimeSpan Retention => TimeSpan.FromTicks(Math.Max(options.Value.CacheDuration.Ticks * 10, TimeSpan.FromMinutes(10).Ticks));

    /// <summary>
    /// The shared answer for <paramref name="provider"/>, running <paramref name="probe"/> if this instance gets the
    /// lease; null when Redis failed or was too slow (the caller then probes for itself).
    /// </summary>
    public async Task<HealthCheckResult?> CheckAsync(string provider, Func<Task<ProbeOutcome>> probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var settings = options.Value;
        var refresh = cache.TakeRefresh(provider);
        var claim = await TryClaimAsync(provider, refresh ? -1 : 0).ConfigureAwait(false);
        if (claim is null)
        {
            return null;
        }

        // After ?refresh=true only a result probed from the first claim on will do, also while waiting.
        var since = refresh ? claim.RedisNow : 0;
        var started = time.GetTimestamp();
        var wait = settings.ProbeTimeout + settings.SharedTimeout;
        while (true)
        {
            switch (claim.Kind)
            {
                case SharedProbeClaimKind.Fresh:
                    metrics.RecordHealthProbe(provider, ProbeSource.Shared);
                    return ProbeDetails.Describe(claim.Result!, ProbeSource.Shared, cached: true);
                case SharedProbeClaimKind.Leased:
                    return await ProbeUnderLeaseAsync(provider, probe).ConfigureAwait(false);
            }

            // Another instance holds the lease: its result comes within its probe deadline, or the lease expires.
            var remaining = wait - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return Late(provider, claim, wait);
            }

            await Task.Delay(remaining < PollInterval ? remaining : PollInterval, time).ConfigureAwait(false);
            claim = await TryClaimAsync(provider, since).ConfigureAwait(false);
            if (claim is null)
            {
                return null;
            }
        }
    }

    private async Task<HealthCheckResult> ProbeUnderLeaseAsync(string provider, Func<Task<ProbeOutcome>> probe)
    {
        var settings = options.Value;
        var outcome = await probe().ConfigureAwait(false);
        if (!outcome.Cacheable)
        {
            // Not a verdict on the provider (its breaker rejected the probe): nothing to share, the lease goes back.
            await TryAsync(provider, "release", () => store!.ReleaseAsync(provider, instanceId, settings.SharedTimeout)).ConfigureAwait(false);
            return outcome.Result;
        }

        var at = await TryAsync(provider, "publish", () => store!.PublishAsync(provider, instanceId, outcome.Result, outcome.Duration, Retention, settings.SharedTimeout)).ConfigureAwait(false);
        DateTimeOffset? probedAt = at > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;
        return ProbeDetails.Describe(outcome, ProbeSource.Probed, cached: false, instanceId, probedAt);
    }

    private HealthCheckResult Late(string provider, SharedProbeClaim claim, TimeSpan wait)
    {
        var holder = string.IsNullOrEmpty(claim.Holder) ? "unknown" : claim.Holder;
        if (claim.Result is { } previous)
        {
            ProviderLog.SharedProbeLate(logger, provider, holder, wait, "the previous result");
            metrics.RecordHealthProbe(provider, ProbeSource.Shared);
            return ProbeDetails.Describe(previous, ProbeSource.Shared, cached: true, ("stale", true), ("probeHeldBy", holder));
        }

        ProviderLog.SharedProbeLate(logger, provider, holder, wait, "no result");
        return HealthCheckResult.Degraded(
            $"{provider}: the fleet's probe (by {holder}) has not reported yet and there is no earlier result.",
            data: new Dictionary<string, object> { ["source"] = ProbeSource.Shared, ["probeHeldBy"] = holder });
    }

    private Task<SharedProbeClaim?> TryClaimAsync(string provider, long since)
    {
        var settings = options.Value;
        return TryAsync<SharedProbeClaim?>(provider, "claim", async () =>
            await store!.ClaimAsync(provider, instanceId, settings.CacheDuration, since, LeaseDuration, settings.SharedTimeout).ConfigureAwait(false));
    }

    private async Task TryAsync(string provider, string operation, Func<Task> call) =>
        await TryAsync<bool>(provider, operation, async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

    /// <summary>Runs a store call; a failure or timeout is logged (type only: no connection string) and answers default.</summary>
    private async Task<T?> TryAsync<T>(string provider, string operation, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            ProviderLog.SharedHealthUnavailable(logger, provider, operation, ex.GetType().Name);
            return default;
        }
    }
}
