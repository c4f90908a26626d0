using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AiServer.Providers.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiServer.Providers.HuggingFace;

/// <summary>
/// Hugging Face (the seed's <c>huggingFaceReliable</c>): image captions through a Gradio Space (JoyCaption's
/// <c>call</c> + event stream) or a plain image-to-text model on the inference endpoint (honouring 503 "currently
/// loading" with <c>estimated_time</c>), and the probe. Every call goes through the <c>huggingface</c> pipeline.
/// </summary>
internal sealed class HuggingFaceClient
{
    private readonly ProviderTransport<HuggingFaceOptions> _transport;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public HuggingFaceClient(IHttpClientFactory factory, IOptionsMonitor<HuggingFaceOptions> options, TimeProvider time, ILogger<HuggingFaceClient> logger)
    {
        _time = time;
        _logger = logger;
        _transport = new ProviderTransport<HuggingFaceOptions>(factory, ProviderNames.HuggingFace, () => options.CurrentValue, ParseError, logger);
    }

    /// <summary>
    /// A caption from the Gradio Space: <c>POST {space}/gradio_api/call/{api}</c> with
    /// <c>[image, caption_type, caption_length, extra_options, name_input, custom_prompt]</c>, then the event stream
    /// <c>GET .../call/{api}/{event_id}</c> until <c>complete</c> (the caption is the last output) or <c>error</c>.
    /// </summary>
    public async Task<string> GenerateImageCaptionAsync(HuggingFaceCaptionRequest caption, string operation = "image-caption", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caption);
        if (caption.ImageUrl is null && caption.Image is null)
        {
            throw new ArgumentException("An image URL or image bytes are needed.", nameof(caption));
        }

        var options = _transport.RequireConfigured(operation);
        var app = options.SpaceUrl.TrimEnd('/') + options.GradioApiPrefix.TrimEnd('/');
        var path = caption.ImageUrl?.AbsoluteUri ?? await UploadAsync(app, caption, options, operation, cancellationToken).ConfigureAwait(false);
        var image = new JsonObject { ["path"] = path, ["meta"] = new JsonObject { ["_type"] = "gradio.FileData" } };
        if (caption.ImageUrl is not null)
        {
            image["url"] = path;
        }

        var data = new JsonArray(image, caption.CaptionType, caption.CaptionLength, new JsonArray([.. caption.ExtraOptions.Select(o => (JsonNode)JsonValue.Create(o))]), caption.NameInput, caption.CustomPrompt);
        string eventId;
        using (var call = Request(HttpMethod.Post, new Uri($"{app}/call/{options.SpaceApiName}"), options))
        {
            call.Content = JsonContent.Create(new JsonObject { ["data"] = data });
            // Queuing the same inputs twice only costs a duplicate caption, so the pipeline may repeat the call.
            call.Headers.TryAddWithoutValidation("Idempotency-Key", Guid.NewGuid().ToString("N"));
            var queued = await _transport.SendJsonAsync<JsonObject>(call, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
            eventId = ProviderJson.Text(queued, "event_id") ?? throw new ProviderException(ProviderNames.HuggingFace, operation, 200, "invalid_response", "The Space returned no event_id.");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.CaptionTimeout);
        using var stream = Request(HttpMethod.Get, new Uri($"{app}/call/{options.SpaceApiName}/{Uri.EscapeDataString(eventId)}"), options);
        stream.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        try
        {
            using var response = await _transport.SendAsync(stream, operation, timeout.Token, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            return await ReadCaptionAsync(response, eventId, operation, options.MaxEventBytes, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ProviderUnavailableException(ProviderNames.HuggingFace, operation, $"The Space did not finish the caption within {options.CaptionTimeout}.", false, null, ex);
        }
        catch (IOException ex)
        {
            throw new ProviderUnavailableException(ProviderNames.HuggingFace, operation, "The Space's event stream broke off.", false, null, ex);
        }
    }

    /// <summary>
    /// A caption from a plain image-to-text model: <c>POST {BaseUrl}/models/{model}</c> with the raw image, answer
    /// <c>[{"generated_text": ...}]</c>. A 503 "currently loading" is waited out for its <c>estimated_time</c>, up to
    /// <see cref="HuggingFaceOptions.MaxModelLoadingWait"/> in total.
    /// </summary>
    public async Task<string> CaptionWithModelAsync(byte[] image, string contentType = "image/png", string? model = null, string operation = "image-to-text", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        var options = _transport.RequireConfigured(operation);
        var modelId = model ?? options.CaptionModel;
        var waited = TimeSpan.Zero;
        for (var attempt = 1; ; attempt++)
        {
            using var request = Request(HttpMethod.Post, new Uri(options.BaseUri, "models/" + modelId), options);
            request.Content = new ByteArrayContent(image);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            // No Idempotency-Key here: a 503 "currently loading" is waited out for its estimated_time below, not by the
            // pipeline's generic backoff.
            using var response = await _transport.SendRawAsync(request, operation, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                var results = await _transport.ReadJsonAsync<JsonNode>(response, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
                var first = results is JsonArray array ? array.FirstOrDefault() : results;
                return ProviderJson.Text(first, "generated_text") ?? throw new ProviderException(ProviderNames.HuggingFace, operation, 200, "invalid_response", "No generated_text in the answer.");
            }

            var (parsed, error) = await _transport.ReadErrorAsync(response, operation, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && parsed.Details is { } estimate
                && double.TryParse(estimate, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                var delay = TimeSpan.FromSeconds(Math.Clamp(seconds, 0.1, 60));
                if (waited + delay <= options.MaxModelLoadingWait)
                {
                    waited += delay;
                    ProviderLog.Backoff(_logger, ProviderNames.HuggingFace, operation, "model loading", delay, attempt + 1);
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }

            throw error;
        }
    }

    /// <summary>The probe: the Space's runtime stage (<c>RUNNING</c>) and the caption model's Hub entry; no inference is spent.</summary>
    public async Task<HealthCheckResult> HealthCheckAsync(CancellationToken cancellationToken = default)
    {
        const string operation = "health-check";
        var options = _transport.RequireConfigured(operation);
        var hub = options.HubUrl.TrimEnd('/');
        var data = new Dictionary<string, object>();
        using (var request = Request(HttpMethod.Get, new Uri($"{hub}/api/models/{options.CaptionModel}"), options))
        {
            var info = await _transport.SendJsonAsync<JsonObject>(request, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
            data["model"] = ProviderJson.Text(info, "id") ?? options.CaptionModel;
        }

        if (!string.IsNullOrWhiteSpace(options.SpaceId))
        {
            using var request = Request(HttpMethod.Get, new Uri($"{hub}/api/spaces/{options.SpaceId}/runtime"), options);
            var runtime = await _transport.SendJsonAsync<JsonObject>(request, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
            var stage = ProviderJson.Text(runtime, "stage") ?? "unknown";
            data["spaceStage"] = stage;
            if (stage != "RUNNING")
            {
                return HealthCheckResult.Degraded($"The Space {options.SpaceId} is {stage}.", data: data);
            }
        }

        return HealthCheckResult.Healthy("Hugging Face answered.", data);
    }

    private async Task<string> UploadAsync(string app, HuggingFaceCaptionRequest caption, HuggingFaceOptions options, string operation, CancellationToken cancellationToken)
    {
        using var upload = Request(HttpMethod.Post, new Uri(app + "/upload"), options);
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(caption.Image!);
        form.Add(file, "files", caption.ImageFileName);
        upload.Content = form;
        upload.Headers.TryAddWithoutValidation("Idempotency-Key", Guid.NewGuid().ToString("N"));
        var paths = await _transport.SendJsonAsync<JsonArray>(upload, operation, ProviderJson.SnakeCase, cancellationToken).ConfigureAwait(false);
        return paths.FirstOrDefault()?.ToString() ?? throw new ProviderException(ProviderNames.HuggingFace, operation, 200, "invalid_response", "The Space's upload returned no path.");
    }

    private async Task<string> ReadCaptionAsync(HttpResponseMessage response, string eventId, string operation, int maxEvent, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        // Bounded: a Space that never sends a newline, or endless data: lines, must not grow memory without limit.
        using var reader = new BoundedLineReader(body, maxEvent);
        string? name = null;
        var data = new System.Text.StringBuilder();
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException)
            {
                throw TooLarge(eventId, operation, maxEvent);
            }

            if (line is null)
            {
                break;
            }

            if (line.Length == 0)
            {
                if (name is not null && Dispatch(name, data.ToString(), eventId, operation) is { } caption)
                {
                    return caption;
                }

                name = null;
                data.Clear();
                continue;
            }

            if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                name = line["event:".Length..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                var part = line.AsSpan("data:".Length).TrimStart();
                if (data.Length + part.Length > maxEvent)
                {
                    throw TooLarge(eventId, operation, maxEvent);
                }

                data.Append(part);
            }
        }

        if (name is not null && Dispatch(name, data.ToString(), eventId, operation) is { } last)
        {
            return last;
        }

        throw new ProviderException(ProviderNames.HuggingFace, operation, (int)response.StatusCode, "stream_ended", $"The event stream of {eventId} ended without a result.");
    }

    private static ProviderException TooLarge(string eventId, string operation, int maxEvent) =>
        new(ProviderNames.HuggingFace, operation, 200, "event_too_large", $"An event of the stream of {eventId} exceeded Providers:HuggingFace:MaxEventBytes ({maxEvent}).");

    /// <summary>The caption when <paramref name="name"/> is <c>complete</c>; throws on <c>error</c>; null for <c>generating</c>/<c>heartbeat</c>.</summary>
    private string? Dispatch(string name, string data, string eventId, string operation)
    {
        switch (name)
        {
            case "complete":
                var outputs = ProviderJson.TryParse(data) as JsonArray;
                var caption = outputs?.LastOrDefault()?.ToString();
                return caption ?? throw new ProviderException(ProviderNames.HuggingFace, operation, 200, "invalid_response", "The Space's result had no caption.");
            case "error":
                var message = data is "" or "null" ? "The Space reported an error (e.g. ZeroGPU quota or a failed run)." : _transport.Scrub(data);
                throw new ProviderJobFailedException(ProviderNames.HuggingFace, operation, eventId, "error", null, message);
            default:
                return null;
        }
    }

    private static HttpRequestMessage Request(HttpMethod method, Uri uri, HuggingFaceOptions options)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        return request;
    }

    /// <summary><c>{"error": "..."}</c>; with <c>estimated_time</c> (model loading) the code is <c>model_loading</c> and the estimate goes in the details.</summary>
    internal static ProviderError ParseError(int status, JsonNode? body, string text)
    {
        if (body is not JsonObject obj)
        {
            return new ProviderError(null, text);
        }

        var error = obj["error"] is JsonArray list ? string.Join("; ", list.Select(e => e?.ToString())) : ProviderJson.Text(obj, "error") ?? ProviderJson.Text(obj, "detail");
        var estimate = ProviderJson.Text(obj, "estimated_time");
        return new ProviderError(estimate is null ? null : "model_loading", error ?? text, estimate);
    }
}
