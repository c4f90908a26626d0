using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AiServer.Providers.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiServer.Providers.SyncLabs;

/// <summary>
/// Sync Labs (the seed's <c>syncLabsReliable</c>): generateLipSync (<c>POST /v2/generate</c> with an
/// <c>Idempotency-Key</c>, so the pipeline may safely repeat it), getGeneration, waiting, and the probe.
/// The seed's <c>createVoice</c> is not offered: the v2 API reference has no documented voice-creation endpoint.
/// </summary>
internal sealed class SyncLabsClient
{
    private readonly ProviderTransport<SyncLabsOptions> _transport;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SyncLabsClient(IHttpClientFactory factory, IOptionsMonitor<SyncLabsOptions> options, TimeProvider time, ILogger<SyncLabsClient> logger)
    {
        _time = time;
        _logger = logger;
        _transport = new ProviderTransport<SyncLabsOptions>(factory, ProviderNames.SyncLabs, () => options.CurrentValue, ParseError, logger);
    }

    /// <summary>Creates a lip-sync generation; returns it as created (<c>PENDING</c>).</summary>
    public async Task<SyncGeneration> GenerateLipSyncAsync(SyncLipSyncRequest lipSync, string operation = "generate-lipsync", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lipSync);
        var options = _transport.RequireConfigured(operation);
        var body = new JsonObject
        {
            ["model"] = lipSync.Model ?? options.DefaultModel,
            ["input"] = new JsonArray(
                new JsonObject { ["type"] = "video", ["url"] = lipSync.VideoUrl.AbsoluteUri },
                new JsonObject { ["type"] = "audio", ["url"] = lipSync.AudioUrl.AbsoluteUri }),
        };
        if (lipSync.SyncMode is not null)
        {
            body["options"] = new JsonObject { ["sync_mode"] = lipSync.SyncMode };
        }

        if (lipSync.WebhookUrl is not null)
        {
            body["webhookUrl"] = lipSync.WebhookUrl.AbsoluteUri;
        }

        if (lipSync.OutputFileName is not null)
        {
            body["outputFileName"] = lipSync.OutputFileName;
        }

        using var request = Request(HttpMethod.Post, "v2/generate", options);
        request.Content = JsonContent.Create(body);
        request.Headers.TryAddWithoutValidation("Idempotency-Key", lipSync.IdempotencyKey ?? Guid.NewGuid().ToString("N"));
        return await _transport.SendJsonAsync<SyncGeneration>(request, operation, ProviderJson.CamelCase, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>GET /v2/generate/{id}</c>.</summary>
    public async Task<SyncGeneration> GetGenerationAsync(string id, string operation = "get-generation", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var options = _transport.RequireConfigured(operation);
        using var request = Request(HttpMethod.Get, "v2/generate/" + Uri.EscapeDataString(id), options);
        return await _transport.SendJsonAsync<SyncGeneration>(request, operation, ProviderJson.CamelCase, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Polls until the generation is <c>COMPLETED</c> (returned) or <c>FAILED</c>/<c>REJECTED</c> (<see cref="ProviderJobFailedException"/>).</summary>
    public async Task<SyncGeneration> WaitForGenerationAsync(string id, TimeSpan timeout, string operation = "wait-generation", CancellationToken cancellationToken = default)
    {
        var options = _transport.RequireConfigured(operation);
        var generation = await JobPolling.UntilTerminalAsync(
            await GetGenerationAsync(id, operation, cancellationToken).ConfigureAwait(false),
            static g => g.IsTerminal,
            ct => GetGenerationAsync(id, operation, ct),
            timeout,
            options.PollInterval,
            _time,
            g => Task.FromResult<Exception>(new ProviderException(ProviderNames.SyncLabs, operation, null, "wait_timeout", $"Generation {id} was still {g.Status} after {timeout}.") { JobId = id }),
            cancellationToken).ConfigureAwait(false);

        ProviderLog.JobStatus(_logger, ProviderNames.SyncLabs, operation, generation.Id, generation.Status);
        return generation.State == SyncGenerationStatus.Completed
            ? generation
            : throw new ProviderJobFailedException(ProviderNames.SyncLabs, operation, generation.Id, generation.Status, generation.ErrorCode, generation.Error is { Length: > 0 } error ? _transport.Scrub(error) : $"The generation ended {generation.Status}.");
    }

    /// <summary>The probe: <c>GET /v2/models</c> (Sync documents no health path).</summary>
    public async Task<HealthCheckResult> HealthCheckAsync(CancellationToken cancellationToken = default)
    {
        const string operation = "health-check";
        var options = _transport.RequireConfigured(operation);
        using var request = Request(HttpMethod.Get, "v2/models", options);
        var models = await _transport.SendJsonAsync<JsonArray>(request, operation, ProviderJson.CamelCase, cancellationToken).ConfigureAwait(false);
        return HealthCheckResult.Healthy("Sync answered GET /v2/models.", new Dictionary<string, object> { ["models"] = models.Count });
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, SyncLabsOptions options)
    {
        var request = new HttpRequestMessage(method, new Uri(options.BaseUri, path));
        request.Headers.TryAddWithoutValidation("x-api-key", options.ApiKey);
        return request;
    }

    /// <summary><c>{statusCode, errorCode, message (string or list), error}</c>.</summary>
    internal static ProviderError ParseError(int status, JsonNode? body, string text)
    {
        if (body is not JsonObject obj)
        {
            return new ProviderError(null, text);
        }

        var message = obj["message"] is JsonArray list ? string.Join("; ", list.Select(m => m?.ToString())) : ProviderJson.Text(obj, "message");
        return new ProviderError(ProviderJson.Text(obj, "errorCode"), message ?? ProviderJson.Text(obj, "error") ?? text);
    }
}
