using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AiServer.Providers.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiServer.Providers.Bfl;

/// <summary>
/// Black Forest Labs (the seed's <c>bflReliable</c>): createFinetune (ZIP sent as base64), getFinetuneDetails,
/// getResult and polling, getTelegramIdFromFinetune, and the probe (<c>GET /v1/credits</c>).
/// </summary>
internal sealed partial class BflClient
{
    private readonly ProviderTransport<BflOptions> _transport;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public BflClient(IHttpClientFactory factory, IOptionsMonitor<BflOptions> options, TimeProvider time, ILogger<BflClient> logger)
    {
        _time = time;
        _logger = logger;
        _transport = new ProviderTransport<BflOptions>(factory, ProviderNames.Bfl, () => options.CurrentValue, ParseError, logger);
    }

    /// <summary>Starts a finetune; the ZIP must start with the ZIP signature and fit <see cref="BflOptions.MaxZipBytes"/>.</summary>
    public async Task<BflFinetuneCreated> CreateFinetuneAsync(BflFinetuneRequest finetune, string operation = "create-finetune", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(finetune);
        ArgumentException.ThrowIfNullOrEmpty(finetune.Comment);
        var options = _transport.RequireConfigured(operation);
        if (finetune.Zip.Length < 4 || finetune.Zip[0] != (byte)'P' || finetune.Zip[1] != (byte)'K')
        {
            throw new ArgumentException("The training data must be a ZIP archive.", nameof(finetune));
        }

        if (finetune.Zip.Length > options.MaxZipBytes)
        {
            throw new ArgumentException($"The training ZIP is {finetune.Zip.Length} bytes; Providers:Bfl:MaxZipBytes allows {options.MaxZipBytes}.", nameof(finetune));
        }

        var body = new JsonObject
        {
            ["file_data"] = Convert.ToBase64String(finetune.Zip),
            ["finetune_comment"] = finetune.Comment,
            ["mode"] = finetune.Mode,
            ["trigger_word"] = finetune.TriggerWord,
            ["iterations"] = finetune.Iterations,
            ["captioning"] = finetune.Captioning,
            ["priority"] = finetune.Priority,
            ["finetune_type"] = finetune.FinetuneType,
            ["lora_rank"] = finetune.LoraRank,
        };
        if (finetune.LearningRate is { } rate)
        {
            body["learning_rate"] = rate;
        }

        if (finetune.WebhookUrl is not null)
        {
            body["webhook_url"] = finetune.WebhookUrl.AbsoluteUri;
            if ((finetune.WebhookSecret ?? options.WebhookSecret) is { Length: > 0 } secret)
            {
                body["webhook_secret"] = secret;
            }
        }

        using var request = Request(HttpMethod.Post, "v1/finetune", options);
        request.Content = JsonContent.Create(body);
        return await _transport.SendJsonAsync<BflFinetuneCreated>(request, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Submits a FLUX generation (<c>POST /v1/{endpoint}</c>, e.g. <c>flux-pro-1.1</c>) with <paramref name="input"/>
    /// as its body (<c>prompt</c>, <c>width</c>, <c>height</c>, <c>seed</c>, <c>output_format</c>, ...) and returns the
    /// task to poll with <see cref="GetResultAsync"/>. Not retried once sent: BFL takes no idempotency key.
    /// </summary>
    public async Task<BflGenerationCreated> CreateGenerationAsync(string endpoint, JsonObject input, string operation = "create-generation", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (string.IsNullOrEmpty(endpoint) || !endpoint.StartsWith("flux-", StringComparison.Ordinal) || !endpoint.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))
        {
            throw new ArgumentException($"'{endpoint}' is not a FLUX endpoint (flux-pro-1.1, flux-dev, ...).", nameof(endpoint));
        }

        var options = _transport.RequireConfigured(operation);
        using var request = Request(HttpMethod.Post, "v1/" + endpoint, options);
        request.Content = JsonContent.Create(input);
        return await _transport.SendJsonAsync<BflGenerationCreated>(request, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>GET /v1/finetune_details?finetune_id=</c>: the <c>finetune_details</c> object.</summary>
    public async Task<JsonObject> GetFinetuneDetailsAsync(string finetuneId, string operation = "get-finetune-details", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(finetuneId);
        var options = _transport.RequireConfigured(operation);
        using var request = Request(HttpMethod.Get, "v1/finetune_details?finetune_id=" + Uri.EscapeDataString(finetuneId), options);
        var answer = await _transport.SendJsonAsync<JsonObject>(request, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
        return answer["finetune_details"] as JsonObject
            ?? throw new ProviderException(ProviderNames.Bfl, operation, 200, "invalid_response", "No finetune_details in the answer.");
    }

    /// <summary>
    /// The Telegram id the seed keeps in <c>finetune_comment</c>: the comment itself when it is a number, else the first
    /// run of at least five digits in it; null when there is none.
    /// </summary>
    public async Task<string?> GetTelegramIdFromFinetuneAsync(string finetuneId, string operation = "get-telegram-id", CancellationToken cancellationToken = default)
    {
        var details = await GetFinetuneDetailsAsync(finetuneId, operation, cancellationToken).ConfigureAwait(false);
        return TelegramIdFromComment(ProviderJson.Text(details, "finetune_comment"));
    }

    /// <summary><c>GET /v1/get_result?id=</c>.</summary>
    public async Task<BflResult> GetResultAsync(string id, string operation = "get-result", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var options = _transport.RequireConfigured(operation);
        using var request = Request(HttpMethod.Get, "v1/get_result?id=" + Uri.EscapeDataString(id), options);
        return await _transport.SendJsonAsync<BflResult>(request, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Polls until <c>Ready</c> (returned) or another terminal status (<see cref="ProviderJobFailedException"/>).</summary>
    public async Task<BflResult> WaitForResultAsync(string id, TimeSpan timeout, string operation = "wait-result", CancellationToken cancellationToken = default)
    {
        var options = _transport.RequireConfigured(operation);
        var result = await JobPolling.UntilTerminalAsync(
            await GetResultAsync(id, operation, cancellationToken).ConfigureAwait(false),
            static r => r.IsTerminal,
            ct => GetResultAsync(id, operation, ct),
            timeout,
            options.PollInterval,
            _time,
            r => Task.FromResult<Exception>(new ProviderException(ProviderNames.Bfl, operation, null, "wait_timeout", $"Task {id} was still {r.Status} after {timeout}.") { JobId = id }),
            cancellationToken).ConfigureAwait(false);

        ProviderLog.JobStatus(_logger, ProviderNames.Bfl, operation, result.Id, result.Status);
        return result.State == BflStatus.Ready
            ? result
            : throw new ProviderJobFailedException(ProviderNames.Bfl, operation, result.Id, result.Status, null, result.Details?.GetRawText() is { Length: > 0 } details ? _transport.Scrub(details) : $"The task ended {result.Status}.");
    }

    /// <summary>The probe: <c>GET /v1/credits</c>.</summary>
    public async Task<HealthCheckResult> HealthCheckAsync(CancellationToken cancellationToken = default)
    {
        const string operation = "health-check";
        var options = _transport.RequireConfigured(operation);
        using var request = Request(HttpMethod.Get, "v1/credits", options);
        var credits = await _transport.SendJsonAsync<JsonObject>(request, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
        return HealthCheckResult.Healthy("BFL answered GET /v1/credits.", new Dictionary<string, object> { ["credits"] = ProviderJson.Text(credits, "credits") ?? "unknown" });
    }

    internal static string? TelegramIdFromComment(string? comment)
    {
        if (string.IsNullOrWhiteSpace(comment))
        {
            return null;
        }

        var trimmed = comment.Trim();
        if (trimmed.All(char.IsAsciiDigit))
        {
            return trimmed;
        }

        var match = TelegramDigits().Match(trimmed);
        return match.Success ? match.Value : null;
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, BflOptions options)
    {
        var request = new HttpRequestMessage(method, new Uri(options.BaseUri, path));
        request.Headers.TryAddWithoutValidation("x-key", options.ApiKey);
        return request;
    }

    /// <summary>FastAPI <c>{"detail": "..."}</c> or 422 <c>{"detail": [{loc, msg, type}]}</c>; the 429 <c>{"error", "message"}</c>.</summary>
    internal static ProviderError ParseError(int status, JsonNode? body, string text)
    {
        if (body is not JsonObject obj)
        {
            return new ProviderError(null, text);
        }

        return obj["detail"] switch
        {
            JsonArray list => new ProviderError("validation_error", string.Join("; ", list.Select(i => $"{(i?["loc"] as JsonArray)?.ToJsonString()}: {ProviderJson.Text(i, "msg")}"))),
            JsonNode detail => new ProviderError(null, detail.ToString()),
            _ => new ProviderError(ProviderJson.Text(obj, "error"), ProviderJson.Text(obj, "message") ?? text),
        };
    }

    [GeneratedRegex(@"\d{5,}", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex TelegramDigits();
}
