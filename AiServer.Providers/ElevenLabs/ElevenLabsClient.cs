using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiServer.Providers.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiServer.Providers.ElevenLabs;

/// <summary>
/// ElevenLabs (the seed's <c>elevenLabsReliable</c>): generate (text-to-speech streamed to a stream or file), clone,
/// getVoices and the probe. ElevenLabs limits concurrency, not rate: this instance keeps at most
/// <see cref="ElevenLabsOptions.MaxConcurrentRequests"/> syntheses in flight (a <see cref="SemaphoreSlim"/>), and answers
/// <c>system_busy</c> / <c>too_many_concurrent_requests</c> with exponential backoff.
/// </summary>
internal sealed class ElevenLabsClient : IDisposable
{
    private static readonly HashSet<string> BackoffCodes = new(StringComparer.Ordinal) { "system_busy", "too_many_concurrent_requests" };

    private readonly ProviderTransport<ElevenLabsOptions> _transport;
    private readonly IOptionsMonitor<ElevenLabsOptions> _options;
    private readonly SemaphoreSlim _concurrency;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ElevenLabsClient(IHttpClientFactory factory, IOptionsMonitor<ElevenLabsOptions> options, TimeProvider time, ILogger<ElevenLabsClient> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _transport = new ProviderTransport<ElevenLabsOptions>(factory, ProviderNames.ElevenLabs, () => options.CurrentValue, ParseError, logger);
        _concurrency = new SemaphoreSlim(options.CurrentValue.MaxConcurrentRequests);
    }

    /// <summary>Syntheses currently holding a concurrency slot.</summary>
    public int InFlight => _options.CurrentValue.MaxConcurrentRequests - _concurrency.CurrentCount;

    /// <summary>
    /// Text-to-speech (<c>POST /v1/text-to-speech/{voice_id}/stream?output_format=...</c>), the audio streamed into
    /// <paramref name="destination"/> as it arrives.
    /// </summary>
    public async Task<ElevenLabsSpeechResult> GenerateAsync(ElevenLabsSpeechRequest speech, Stream destination, string operation = "generate-speech", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(speech);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentException.ThrowIfNullOrEmpty(speech.VoiceId);
        ArgumentException.ThrowIfNullOrEmpty(speech.Text);
        var options = _transport.RequireConfigured(operation);
        var format = speech.OutputFormat ?? options.DefaultOutputFormat;
        var body = new JsonObject { ["text"] = speech.Text, ["model_id"] = speech.ModelId ?? options.DefaultModelId };
        if (speech.LanguageCode is not null)
        {
            body["language_code"] = speech.LanguageCode;
        }

        if (speech.VoiceSettings is not null)
        {
            body["voice_settings"] = speech.VoiceSettings.DeepClone();
        }

        await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                using var request = Request(HttpMethod.Post, $"v1/text-to-speech/{Uri.EscapeDataString(speech.VoiceId)}/stream?output_format={Uri.EscapeDataString(format)}", options);
                request.Content = JsonContent.Create(body);
                using var response = await _transport.SendRawAsync(request, operation, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    var error = await _transport.ToExceptionAsync(response, operation, cancellationToken).ConfigureAwait(false);
                    if (error.ErrorCode is { } code && BackoffCodes.Contains(code) && attempt < options.SystemBusyRetries)
                    {
                        var delay = options.SystemBusyBaseDelay * Math.Pow(2, attempt);
                        if (error is ProviderRateLimitedException { RetryAfter: { } after } && after > delay)
                        {
                            delay = after;
                        }

                        ProviderLog.Backoff(_logger, ProviderNames.ElevenLabs, operation, code, delay, attempt + 2);
                        await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    throw error;
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.StreamTimeout);
                long written;
                try
                {
                    await using var audio = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
                    written = await CopyAsync(audio, destination, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new ProviderUnavailableException(ProviderNames.ElevenLabs, operation, $"The audio stream did not finish within {options.StreamTimeout}.", false, null, ex);
                }
                catch (IOException ex)
                {
                    throw new ProviderUnavailableException(ProviderNames.ElevenLabs, operation, "The audio stream broke off.", false, null, ex);
                }

                return new ElevenLabsSpeechResult(
                    written,
                    response.Content.Headers.ContentType?.MediaType,
                    format,
                    Header(response, "request-id"),
                    Header(response, "character-cost"));
            }
        }
        finally
        {
            _concurrency.Release();
        }
    }

    /// <summary>Text-to-speech into a file: written beside it and moved into place; nothing is left behind on failure.</summary>
    public async Task<ElevenLabsSpeechResult> GenerateToFileAsync(ElevenLabsSpeechRequest speech, string path, string operation = "generate-speech", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var temporary = path + ".part-" + Guid.NewGuid().ToString("N");
        try
        {
            ElevenLabsSpeechResult result;
            var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
            await using (file.ConfigureAwait(false))
            {
                result = await GenerateAsync(speech, file, operation, cancellationToken).ConfigureAwait(false);
            }

            File.Move(temporary, path, overwrite: true);
            return result;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Instant voice cloning: <c>POST /v1/voices/add</c> (multipart <c>name</c>, <c>files</c>, <c>description</c>, <c>labels</c>).</summary>
    public async Task<ElevenLabsCloneResult> CloneAsync(
        string name,
        IReadOnlyList<ElevenLabsVoiceSample> samples,
        string? description = null,
        IReadOnlyDictionary<string, string>? labels = null,
        bool removeBackgroundNoise = false,
        string operation = "clone-voice",
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            throw new ArgumentException("At least one audio sample is needed.", nameof(samples));
        }

        var options = _transport.RequireConfigured(operation);
        using var request = Request(HttpMethod.Post, "v1/voices/add", options);
        var form = new MultipartFormDataContent
        {
            { new StringContent(name), "name" },
            { new StringContent(removeBackgroundNoise ? "true" : "false"), "remove_background_noise" },
        };
        if (description is not null)
        {
            form.Add(new StringContent(description), "description");
        }

        if (labels is not null)
        {
            form.Add(new StringContent(JsonSerializer.Serialize(labels)), "labels");
        }

        foreach (var sample in samples)
        {
            var file = new ByteArrayContent(sample.Content);
            file.Headers.ContentType = new MediaTypeHeaderValue(sample.ContentType);
            form.Add(file, "files", sample.FileName);
        }

        request.Content = form;
        return await _transport.SendJsonAsync<ElevenLabsCloneResult>(request, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>GET /v1/voices</c>.</summary>
    public async Task<IReadOnlyList<ElevenLabsVoice>> GetVoicesAsync(string operation = "get-voices", CancellationToken cancellationToken = default)
    {
        var options = _transport.RequireConfigured(operation);
        using var request = Request(HttpMethod.Get, "v1/voices", options);
        var list = await _transport.SendJsonAsync<ElevenLabsVoiceList>(request, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
        return list.Voices;
    }

    /// <summary>The probe: <c>GET /v1/user</c>; a 401 <c>missing_permissions</c> still proves the key valid.</summary>
    public async Task<HealthCheckResult> HealthCheckAsync(CancellationToken cancellationToken = default)
    {
        const string operation = "health-check";
        var options = _transport.RequireConfigured(operation);
        using var request = Request(HttpMethod.Get, "v1/user", options);
        try
        {
            var user = await _transport.SendJsonAsync<JsonObject>(request, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
            var data = new Dictionary<string, object>();
            if (user["subscription"] is JsonObject subscription)
            {
                data["tier"] = ProviderJson.Text(subscription, "tier") ?? "unknown";
                data["characterCount"] = ProviderJson.Text(subscription, "character_count") ?? "0";
                data["characterLimit"] = ProviderJson.Text(subscription, "character_limit") ?? "0";
            }

            data["inFlight"] = InFlight;
            return HealthCheckResult.Healthy("ElevenLabs answered GET /v1/user.", data);
        }
        catch (ProviderException ex) when (ex.ErrorCode == "missing_permissions")
        {
            return HealthCheckResult.Healthy("ElevenLabs accepted the key (it lacks user_read, so the plan is not shown).");
        }
    }

    public void Dispose() => _concurrency.Dispose();

    private static HttpRequestMessage Request(HttpMethod method, string path, ElevenLabsOptions options)
    {
        var request = new HttpRequestMessage(method, new Uri(options.BaseUri, path));
        request.Headers.TryAddWithoutValidation("xi-api-key", options.ApiKey);
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    private static async Task<long> CopyAsync(Stream source, Stream destination, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            total += read;
        }

        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        return total;
    }

    /// <summary><c>{"detail": {"status", "message"}}</c>; FastAPI's 422 <c>{"detail": [{loc, msg, type}]}</c>; <c>{"detail": "..."}</c>.</summary>
    internal static ProviderError ParseError(int status, JsonNode? body, string text)
    {
        var detail = (body as JsonObject)?["detail"];
        return detail switch
        {
            JsonObject d => new ProviderError(ProviderJson.Text(d, "status"), ProviderJson.Text(d, "message") ?? text),
            JsonArray list => new ProviderError("validation_error", string.Join("; ", list.Select(i => $"{(i?["loc"] as JsonArray)?.ToJsonString()}: {ProviderJson.Text(i, "msg")}"))),
            JsonValue v when v.TryGetValue<string>(out var s) => new ProviderError(null, s),
            _ => new ProviderError(null, text),
        };
    }
}
