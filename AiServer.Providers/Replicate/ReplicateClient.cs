using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AiServer.Providers.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiServer.Providers.Replicate;

/// <summary>
/// Replicate (the seed's <c>replicateReliable</c>): run, trainings, models and the account probe, each call through the
/// <c>replicate</c> pipeline (external-API retries, fleet breaker) under an operation name.
/// </summary>
internal sealed partial class ReplicateClient
{
    private readonly ProviderTransport<ReplicateOptions> _transport;
    private readonly IOptionsMonitor<ReplicateOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ReplicateClient(IHttpClientFactory factory, IOptionsMonitor<ReplicateOptions> options, TimeProvider time, ILogger<ReplicateClient> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _transport = new ProviderTransport<ReplicateOptions>(factory, ProviderNames.Replicate, () => options.CurrentValue, ParseError, logger);
    }

    /// <summary>
    /// Runs <paramref name="model"/> (<c>owner/name</c> for an official model, <c>owner/name:version</c> or a 64-hex version)
    /// on <paramref name="input"/>: creates the prediction with <c>Prefer: wait</c>, then polls until it is terminal.
    /// </summary>
    /// <returns>The succeeded prediction (its <c>Output</c>).</returns>
    /// <exception cref="ProviderJobFailedException">The prediction failed, was canceled or aborted.</exception>
    public async Task<ReplicateJob> RunAsync(string model, JsonObject input, string operation = "run", Uri? webhook = null, CancellationToken cancellationToken = default)
    {
        var options = _transport.RequireConfigured(operation);
        var job = await CreatePredictionCoreAsync(model, input, webhook, operation, preferWait: true, cancellationToken).ConfigureAwait(false);
        // From here the prediction exists (and is billed): every failure carries its id (ProviderException.JobId).
        job = await WaitAsync(job, operation, options, training: false, cancellationToken).ConfigureAwait(false);
        return job.State == ReplicateStatus.Succeeded
            ? job
            : throw new ProviderJobFailedException(ProviderNames.Replicate, operation, job.Id, job.Status, null, job.ErrorText.Length > 0 ? _transport.Scrub(job.ErrorText) : $"The prediction ended {job.Status}.");
    }

    /// <summary>
    /// Creates a prediction of <paramref name="model"/> (as <see cref="RunAsync"/> names it) and returns at once, so the
    /// caller can record the prediction's id before anything else can fail (a job queue must never create it twice).
    /// </summary>
    public Task<ReplicateJob> CreatePredictionAsync(string model, JsonObject input, Uri? webhook = null, string operation = "create-prediction", CancellationToken cancellationToken = default) =>
        CreatePredictionCoreAsync(model, input, webhook, operation, preferWait: false, cancellationToken);

    private async Task<ReplicateJob> CreatePredictionCoreAsync(string model, JsonObject input, Uri? webhook, string operation, bool preferWait, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentNullException.ThrowIfNull(input);
        var options = _transport.RequireConfigured(operation);
        var body = new JsonObject { ["input"] = input.DeepClone() };
        if (webhook is not null)
        {
            body["webhook"] = webhook.AbsoluteUri;
        }

        // The model goes into the URL path: only owner/name[:version] or a bare version id, never "../" or a query.
        var reference = ModelReference().Match(model);
        if (!reference.Success)
        {
            throw new ArgumentException($"'{model}' is not a Replicate model reference: use owner/name, owner/name:<64-hex version> or a 64-hex version id.", nameof(model));
        }

        string path;
        if (reference.Groups["owner"].Success && !reference.Groups["version"].Success)
        {
            path = $"v1/models/{reference.Groups["owner"].Value}/{reference.Groups["name"].Value}/predictions";
        }
        else
        {
            path = "v1/predictions";
            body["version"] = reference.Groups["version"].Value;
        }

        using var request = Request(HttpMethod.Post, path, options);
        request.Content = JsonContent.Create(body);
        // The blocking wait must end before the attempt timeout, or every slow run would count against the breaker.
        var wait = (int)Math.Min(options.PreferWait.TotalSeconds, options.AttemptTimeout.TotalSeconds - 1);
        if (preferWait && wait >= 1)
        {
            request.Headers.TryAddWithoutValidation("Prefer", "wait=" + wait.ToString(CultureInfo.InvariantCulture));
        }

        return await _transport.SendJsonAsync<ReplicateJob>(request, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /v1/predictions/{id}/cancel</c>.</summary>
    public async Task<ReplicateJob> CancelPredictionAsync(string id, string operation = "cancel-prediction", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var options = _transport.RequireConfigured(operation);
        using var request = Request(HttpMethod.Post, $"v1/predictions/{Uri.EscapeDataString(id)}/cancel", options);
        // Cancelling twice is harmless, so it may be repeated like an idempotent call.
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "cancel-" + id);
        return await _transport.SendJsonAsync<ReplicateJob>(request, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>GET /v1/predictions/{id}</c>.</summary>
    public Task<ReplicateJob> GetPredictionAsync(string id, string operation = "get-prediction", CancellationToken cancellationToken = default) =>
        GetJobAsync("v1/predictions/", id, operation, cancellationToken);

    /// <summary>Creates a training of <paramref name="model"/> (<c>owner/name</c>) at <paramref name="versionId"/> into <paramref name="destination"/> (<c>owner/name</c>, must exist).</summary>
    public async Task<ReplicateJob> CreateTrainingAsync(string model, string versionId, string destination, JsonObject input, Uri? webhook = null, string operation = "create-training", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        ArgumentException.ThrowIfNullOrEmpty(versionId);
        ArgumentException.ThrowIfNullOrEmpty(destination);
        ArgumentNullException.ThrowIfNull(input);
        if (ModelReference().Match(model) is not { Success: true } reference || !reference.Groups["owner"].Success || reference.Groups["version"].Success)
        {
            throw new ArgumentException($"'{model}' is not a Replicate model name: use owner/name.", nameof(model));
        }

        if (ModelReference().Match(destination) is not { Success: true } target || !target.Groups["owner"].Success || target.Groups["version"].Success)
        {
            throw new ArgumentException($"'{destination}' is not a Replicate model name: use owner/name.", nameof(destination));
        }

        var options = _transport.RequireConfigured(operation);
        var body = new JsonObject { ["destination"] = destination, ["input"] = input.DeepClone() };
        if (webhook is not null)
        {
            body["webhook"] = webhook.AbsoluteUri;
        }

        using var request = Request(HttpMethod.Post, $"v1/models/{model}/versions/{Uri.EscapeDataString(versionId)}/trainings", options);
        request.Content = JsonContent.Create(body);
        return await _transport.SendJsonAsync<ReplicateJob>(request, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>GET /v1/trainings/{id}</c> (by id, never by following <c>urls.get</c>, which older responses point at predictions).</summary>
    public Task<ReplicateJob> GetTrainingAsync(string id, string operation = "get-training", CancellationToken cancellationToken = default) =>
        GetJobAsync("v1/trainings/", id, operation, cancellationToken);

    /// <summary><c>POST /v1/trainings/{id}/cancel</c>.</summary>
    public async Task<ReplicateJob> CancelTrainingAsync(string id, string operation = "cancel-training", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var options = _transport.RequireConfigured(operation);
        using var request = Request(HttpMethod.Post, $"v1/trainings/{Uri.EscapeDataString(id)}/cancel", options);
        // Cancelling twice is harmless, so it may be repeated like an idempotent call.
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "cancel-" + id);
        return await _transport.SendJsonAsync<ReplicateJob>(request, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Polls a training until it is terminal (or <see cref="ReplicateOptions.RunTimeout"/>).</summary>
    public async Task<ReplicateJob> WaitForTrainingAsync(string id, string operation = "wait-training", CancellationToken cancellationToken = default)
    {
        var options = _transport.RequireConfigured(operation);
        var job = await GetTrainingAsync(id, operation, cancellationToken).ConfigureAwait(false);
        return await WaitAsync(job, operation, options, training: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /v1/models</c>.</summary>
    public async Task<ReplicateModel> CreateModelAsync(ReplicateCreateModelRequest model, string operation = "create-model", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var options = _transport.RequireConfigured(operation);
        using var request = Request(HttpMethod.Post, "v1/models", options);
        request.Content = JsonContent.Create(model, options: ProviderJson.SnakeCase);
        return await _transport.SendJsonAsync<ReplicateModel>(request, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>GET /v1/models/{owner}/{name}</c>; a missing model is a <see cref="ProviderException"/> with status 404.</summary>
    public async Task<ReplicateModel> GetModelAsync(string owner, string name, string operation = "get-model", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var options = _transport.RequireConfigured(operation);
        using var request = Request(HttpMethod.Get, $"v1/models/{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(name)}", options);
        return await _transport.SendJsonAsync<ReplicateModel>(request, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The runnable reference of a model's latest version, <c>owner/name:version</c>; null when it has no version yet.</summary>
    public async Task<string?> GetLatestModelUrlAsync(string owner, string name, string operation = "get-latest-model-url", CancellationToken cancellationToken = default)
    {
        var model = await GetModelAsync(owner, name, operation, cancellationToken).ConfigureAwait(false);
        return model.LatestVersion is { Id: { Length: > 0 } version } ? $"{model.Owner}/{model.Name}:{version}" : null;
    }

    /// <summary>The probe: <c>GET /v1/account</c>.</summary>
    public async Task<HealthCheckResult> HealthCheckAsync(CancellationToken cancellationToken = default)
    {
        var options = _transport.RequireConfigured("health-check");
        using var request = Request(HttpMethod.Get, "v1/account", options);
        var account = await _transport.SendJsonAsync<ReplicateAccount>(request, "health-check", ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
        return HealthCheckResult.Healthy("Replicate answered GET /v1/account.", new Dictionary<string, object> { ["account"] = account.Username ?? "unknown" });
    }

    private async Task<ReplicateJob> GetJobAsync(string prefix, string id, string operation, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var options = _transport.RequireConfigured(operation);
        using var request = Request(HttpMethod.Get, prefix + Uri.EscapeDataString(id), options);
        return await _transport.SendJsonAsync<ReplicateJob>(request, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Polls until terminal. Every exception carries the job's id. A prediction still running at
    /// <see cref="ReplicateOptions.RunTimeout"/> is cancelled (best effort: nobody is left waiting for it, and it is
    /// billed while it runs); a training is not — its id belongs to the caller, who may wait again.
    /// </summary>
    private async Task<ReplicateJob> WaitAsync(ReplicateJob job, string operation, ReplicateOptions options, bool training, CancellationToken cancellationToken)
    {
        var id = job.Id;
        try
        {
            job = await JobPolling.UntilTerminalAsync(
                job,
                static j => j.IsTerminal,
                ct => GetJobAsync(training ? "v1/trainings/" : "v1/predictions/", id, operation, ct),
                options.RunTimeout,
                options.PollInterval,
                _time,
                async last =>
                {
                    var cancelled = !training && await TryCancelPredictionAsync(id, operation, cancellationToken).ConfigureAwait(false);
                    return new ProviderException(ProviderNames.Replicate, operation, null, "run_timeout", $"Job {id} was still {last.Status} after {options.RunTimeout}" + (cancelled ? "; it was cancelled." : "."))
                    {
                        JobId = id,
                    };
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderException ex) when (ex.JobId is null)
        {
            ex.JobId = id;
            throw;
        }

        ProviderLog.JobStatus(_logger, ProviderNames.Replicate, operation, job.Id, job.Status);
        return job;
    }

    private async Task<bool> TryCancelPredictionAsync(string id, string operation, CancellationToken cancellationToken)
    {
        try
        {
            await CancelPredictionAsync(id, operation + "-cancel", cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ProviderException ex)
        {
            ProviderLog.CancelFailed(_logger, ProviderNames.Replicate, operation, id, ex.ErrorCode ?? "error");
            return false;
        }
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, ReplicateOptions options)
    {
        var request = new HttpRequestMessage(method, new Uri(options.BaseUri, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        return request;
    }

    /// <summary>RFC 7807: <c>{title, detail, status}</c>; the title is the code.</summary>
    internal static ProviderError ParseError(int status, JsonNode? body, string text) =>
        body is JsonObject
            ? new ProviderError(ProviderJson.Text(body, "title"), ProviderJson.Text(body, "detail") ?? text)
            : new ProviderError(null, text);

    /// <summary><c>owner/name</c>, <c>owner/name:version</c> (64 hex) or a bare 64-hex version id.</summary>
    [GeneratedRegex(@"^(?:(?<owner>[A-Za-z0-9][A-Za-z0-9_.-]*)/(?<name>[A-Za-z0-9][A-Za-z0-9_.-]*)(?::(?<version>[0-9a-fA-F]{64}))?|(?<version>[0-9a-fA-F]{64}))$", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex ModelReference();
}
