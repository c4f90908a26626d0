using System.Text.Json;
using AiServer.Jobs.Store;
using AiServer.Providers;
using AiServer.Providers.Bfl;
using AiServer.Providers.Http;
using AiServer.Providers.Replicate;
using AiServer.Providers.SyncLabs;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiServer.Jobs.Webhooks;

/// <summary>
/// What verified provider webhooks reported for a job (<c>{p}{jobs}:push:{id}</c>): the furthest state only, so a late
/// or repeated webhook can never move a job back. The worker running the job reads it before polling: a terminal state
/// there ends the job without another call to the provider.
/// </summary>
internal sealed class ProviderPush(IConnectionMultiplexer redis, JobKeys keys, IOptionsMonitor<JobsOptions> jobs, IOptionsMonitor<WebhooksOptions> options)
{
    private const string StoreScript = """
        local rank = tonumber(redis.call('HGET', KEYS[1], 'rank') or '0')
        if tonumber(ARGV[1]) <= rank then return 0 end
        redis.call('HSET', KEYS[1], 'rank', ARGV[1], 'body', ARGV[2], 'provider', ARGV[3], 'provider_job_id', ARGV[4])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        return 1
        """;

    public WebhooksOptions Options => options.CurrentValue;

    /// <summary>Our webhook URL for a job on <paramref name="provider"/>, or null when <c>Webhooks:PublicBaseUrl</c> is not set.</summary>
    public Uri? UrlFor(string provider, string jobId) =>
        options.CurrentValue.PublicBaseUrl is { } root ? new Uri(root, "webhooks/" + provider + "?job=" + Uri.EscapeDataString(jobId)) : null;

    /// <summary>Stores <paramref name="body"/> when it is further than what is stored; false: older or the same (ignored).</summary>
    public async Task<bool> StoreAsync(string jobId, string provider, string providerJobId, int rank, string body) =>
        (int)await redis.GetDatabase().ScriptEvaluateAsync(
            StoreScript,
            [keys.Push(jobId)],
            [rank, body, provider, providerJobId, (long)jobs.CurrentValue.Retention.TotalMilliseconds]).ConfigureAwait(false) == 1;

    /// <summary>The stored body for the job, when it came for <paramref name="providerJobId"/>.</summary>
    public async Task<string?> GetAsync(string jobId, string providerJobId)
    {
        var values = await redis.GetDatabase().HashGetAsync(keys.Push(jobId), ["body", "provider_job_id"]).ConfigureAwait(false);
        return values[0].IsNullOrEmpty || values[1] != providerJobId ? null : (string?)values[0];
    }

    /// <summary>Notes that verified webhooks of <paramref name="provider"/> arrive (for <see cref="WebhooksOptions.FlowingFor"/>).</summary>
    public Task NoteFlowingAsync(string provider) =>
        redis.GetDatabase().StringSetAsync(keys.WebhooksFlowing(provider), "1", options.CurrentValue.FlowingFor);

    /// <summary>Whether verified webhooks of <paramref name="provider"/> arrived lately: its jobs then poll at the fallback interval.</summary>
    public Task<bool> IsFlowingAsync(string provider) => redis.GetDatabase().KeyExistsAsync(keys.WebhooksFlowing(provider));

    /// <summary>The provider's job id and how far it got (1 starting, 2 processing, 3 ended; 0 unknown), from a webhook body.</summary>
    public static (string? Id, int Rank) Parse(string provider, string body)
    {
        try
        {
            switch (provider)
            {
                case ProviderNames.Replicate:
                    var prediction = JsonSerializer.Deserialize<ReplicateJob>(body, ProviderJson.SnakeCase);
                    return (prediction?.Id, prediction is null ? 0 : prediction.IsTerminal ? 3 : prediction.State == ReplicateStatus.Processing ? 2 : 1);
                case ProviderNames.SyncLabs:
                    var generation = JsonSerializer.Deserialize<SyncGeneration>(body, ProviderJson.CamelCase);
                    return (generation?.Id, generation is null ? 0 : generation.IsTerminal ? 3 : generation.State == SyncGenerationStatus.Processing ? 2 : 1);
                case ProviderNames.Bfl:
                    var result = JsonSerializer.Deserialize<BflResult>(body, ProviderJson.SnakeCase);
                    return (result?.Id, result is null ? 0 : result.IsTerminal ? 3 : 1);
                default:
                    return (null, 0);
            }
        }
        catch (JsonException)
        {
            return (null, 0);
        }
    }
}
