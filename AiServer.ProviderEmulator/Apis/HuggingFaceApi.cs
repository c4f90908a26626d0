using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Infrastructure;
using AiServer.ProviderEmulator.Options;
using AiServer.ProviderEmulator.Providers.HuggingFace;
using Microsoft.Extensions.Options;

namespace AiServer.ProviderEmulator.Apis;

/// <summary>
/// Hugging Face under <c>/huggingface</c>: the inference router (<c>/hf-inference/models/{id}</c> for
/// <c>https://router.huggingface.co/hf-inference</c>), the legacy serverless API (<c>/models/{id}</c>), the Hub API
/// (<c>/api/...</c>) and Gradio Spaces (<c>/spaces/{owner}/{space}</c> for <c>https://{owner}-{space}.hf.space</c>).
/// </summary>
public static class HuggingFaceApi
{
    private const string JoyCaptionPrompt = GradioSpaceApi.JoyCaptionPrompt;

    public static IEndpointRouteBuilder MapHuggingFaceApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var secured = app.MapGroup("/huggingface").WithTags("HuggingFace").RequireProviderKey(ProviderIds.HuggingFace);
        secured.MapPost("/hf-inference/models/{**modelId}", RouterImageToText).WithName("HfRouterImageToText").WithSummary("Image-to-text via the inference router");
        secured.MapPost("/models/{**modelId}", LegacyImageToText).WithName("HfLegacyImageToText").WithSummary("Image-to-text via the legacy serverless API");
        secured.MapGet("/api/whoami-v2", WhoAmI).WithName("HfWhoAmI").WithSummary("Token owner");

        var open = app.MapGroup("/huggingface").WithTags("HuggingFace");
        open.MapGet("/api/models/{owner}/{name}", GetModel).WithName("HfGetModel").WithSummary("Model info");
        open.MapGet("/api/models/{owner}/{name}/revision/{revision}", GetModel).WithName("HfGetModelRevision").WithSummary("Model info at a revision (@huggingface/hub modelInfo)");
        open.MapGet("/api/spaces/{owner}/{name}", GetSpace).WithName("HfGetSpace").WithSummary("Space info");
        open.MapGet("/api/spaces/{owner}/{name}/revision/{revision}", GetSpace).WithName("HfGetSpaceRevision").WithSummary("Space info at a revision (@huggingface/hub spaceInfo)");
        open.MapGet("/api/spaces/{owner}/{name}/runtime", GetSpaceRuntime).WithName("HfGetSpaceRuntime").WithSummary("Space runtime stage");
        foreach (var prefix in new[] { "/spaces/{owner}/{space}/gradio_api", "/spaces/{owner}/{space}" })
        {
            var v = prefix.EndsWith("gradio_api", StringComparison.Ordinal) ? "5" : "4";
            open.MapPost(prefix + "/call/{apiName}", GradioCallCreate).WithName("HfGradioCall" + v).WithSummary("Queue a Gradio call");
            open.MapGet(prefix + "/call/{apiName}/{eventId}", GradioCallStream).WithName("HfGradioStream" + v).WithSummary("Stream a Gradio call's events");
            open.MapPost(prefix + "/upload", GradioUpload).WithName("HfGradioUpload" + v).WithSummary("Upload files to a Space").DisableAntiforgery();
            open.MapGet(prefix + "/info", GradioInfo).WithName("HfGradioInfo" + v).WithSummary("Space API description");
        }

        GradioSpaceApi.Map(open);

        return app;
    }

    internal static Task<IResult> RouterImageToText(string modelId, HttpContext context, HuggingFaceStore store, IOptions<EmulatorOptions> options, TimeProvider time) =>
        CaptionAsync(modelId, context, store, options.Value.HuggingFace, time, legacy: false);

    internal static Task<IResult> LegacyImageToText(string modelId, HttpContext context, HuggingFaceStore store, IOptions<EmulatorOptions> options, TimeProvider time) =>
        CaptionAsync(modelId, context, store, options.Value.HuggingFace, time, legacy: true);

    /// <summary><c>GET /api/whoami-v2</c> with the fields @huggingface/hub's <c>WhoAmIUser</c> promises.</summary>
    internal static IResult WhoAmI() => ProviderJson.Json(new JsonObject
    {
        ["type"] = "user",
        ["id"] = "65f0000000000000000000aa",
        ["name"] = "aiserver",
        ["fullname"] = "AiServer Emulator",
        ["email"] = "emulator@example.com",
        ["emailVerified"] = true,
        ["isPro"] = false,
        ["canPay"] = false,
        ["billingMode"] = "prepaid",
        ["periodEnd"] = null,
        ["avatarUrl"] = "/avatars/emulator.svg",
        ["orgs"] = new JsonArray(),
        ["auth"] = new JsonObject
        {
            ["type"] = "access_token",
            ["accessToken"] = new JsonObject { ["displayName"] = "emulator", ["role"] = "read", ["createdAt"] = "2026-01-01T00:00:00.000Z" },
        },
    });

    internal static IResult GetModel(string owner, string name) => ProviderJson.Json(new JsonObject
    {
        ["_id"] = "65f0000000000000000000bb",
        ["id"] = $"{owner}/{name}",
        ["modelId"] = $"{owner}/{name}",
        ["author"] = owner,
        ["private"] = false,
        ["gated"] = false,
        ["disabled"] = false,
        ["pipeline_tag"] = "image-to-text",
        ["library_name"] = "transformers",
        ["tags"] = new JsonArray("image-to-text"),
        ["downloads"] = 0,
        ["likes"] = 0,
        ["lastModified"] = "2026-01-01T00:00:00.000Z",
        ["sha"] = "0000000000000000000000000000000000000000",
        ["inferenceProviderMapping"] = new JsonObject { ["hf-inference"] = new JsonObject { ["status"] = "live", ["providerId"] = $"{owner}/{name}", ["task"] = "image-to-text" } },
    });

    internal static IResult GetSpace(string owner, string name) => ProviderJson.Json(new JsonObject
    {
        ["_id"] = "65f0000000000000000000cc",
        ["id"] = $"{owner}/{name}",
        ["author"] = owner,
        ["sdk"] = "gradio",
        ["private"] = false,
        ["likes"] = 0,
        ["lastModified"] = "2026-01-01T00:00:00.000Z",
        ["sha"] = "0000000000000000000000000000000000000000",
        ["subdomain"] = $"{owner}-{name}",
        ["runtime"] = SpaceRuntime(owner, name),
    });

    internal static IResult GetSpaceRuntime(string owner, string name) => ProviderJson.Json(SpaceRuntime(owner, name));

    private static JsonObject SpaceRuntime(string owner, string name) => new()
    {
        ["stage"] = "RUNNING",
        ["hardware"] = new JsonObject { ["current"] = "zero-a10g", ["requested"] = "zero-a10g" },
        ["storage"] = null,
        ["gcTimeout"] = 172800,
        ["replicas"] = new JsonObject { ["current"] = 1, ["requested"] = 1 },
        ["sdk"] = "gradio",
        ["id"] = $"{owner}/{name}",
    };

    internal static async Task<IResult> GradioCallCreate(string owner, string space, string apiName, HttpRequest request, HuggingFaceStore store, IOptions<EmulatorOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await ProviderJson.ReadObjectAsync(request, cancellationToken);
        if (body?["data"] is not JsonArray data)
        {
            return ProviderJson.Json(
                new JsonObject { ["detail"] = new JsonArray(new JsonObject { ["type"] = "missing", ["loc"] = new JsonArray("body", "data"), ["msg"] = "Field required" }) },
                StatusCodes.Status422UnprocessableEntity);
        }

        var duration = JobDurations.For(request, ProviderIds.HuggingFace, options.Value);
        var call = new GradioCall(Ids.Replicate(), $"{owner}/{space}", apiName, (JsonArray)data.DeepClone(), time.GetUtcNow(), JobOutcomes.From(request, body), duration);
        store.Add(call);
        return ProviderJson.Json(new JsonObject { ["event_id"] = call.EventId });
    }

    /// <summary>Server-sent events: <c>generating</c> half-way, then <c>complete</c> (or <c>error</c>) after the job duration.</summary>
    internal static async Task GradioCallStream(string owner, string space, string apiName, string eventId, HttpContext context, HuggingFaceStore store, IOptions<EmulatorOptions> options, TimeProvider time)
    {
        var call = store.Find(eventId);
        var response = context.Response;
        if (call is null || call.ApiName != apiName.TrimStart('/'))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            await response.WriteAsJsonAsync(new { detail = "Not Found" }, context.RequestAborted);
            return;
        }

        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var caption = options.Value.HuggingFace.Caption;
        var duration = call.Duration;
        var ct = context.RequestAborted;
        try
        {
            await Task.Delay(JobDurations.Remaining(call.CreatedAt + (duration / 2), time), time, ct);
            var partial = new JsonArray(JoyCaptionPrompt, caption[..(caption.Length / 2)]);
            await WriteEventAsync(response, "generating", apiName == "stream_chat" ? partial.ToJsonString() : $"[{JsonValue.Create(caption[..(caption.Length / 2)]).ToJsonString()}]", ct);
            await Task.Delay(JobDurations.Remaining(call.CreatedAt + duration, time), time, ct);
            if (call.Outcome != JobOutcome.Succeeded)
            {
                await WriteEventAsync(response, "error", "null", ct);
                return;
            }

            var result = apiName == "stream_chat" ? new JsonArray(JoyCaptionPrompt, caption) : new JsonArray(caption);
            await WriteEventAsync(response, "complete", result.ToJsonString(), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // client went away
        }
    }

    internal static async Task<IResult> GradioUpload(string owner, string space, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            return ProviderJson.Json(new JsonObject { ["detail"] = "Expected multipart form data with 'files'" }, StatusCodes.Status400BadRequest);
        }

        var form = await request.ReadFormAsync(cancellationToken);
        var paths = new JsonArray();
        foreach (var file in form.Files.GetFiles("files"))
        {
            paths.Add($"/tmp/gradio/{Ids.Hex64()[..40]}/{file.FileName}");
        }

        return ProviderJson.Json(paths);
    }

    internal static IResult GradioInfo(string owner, string space) => ProviderJson.Json(GradioSpaceApi.Info());

    private static async Task<IResult> CaptionAsync(string modelId, HttpContext context, HuggingFaceStore store, HuggingFaceOptions options, TimeProvider time, bool legacy)
    {
        var request = context.Request;
        // Only the legacy serverless API had cold models; the router answers from warm providers.
        var left = legacy ? store.RemainingLoad(modelId, options.ModelLoadingTime) : TimeSpan.Zero;
        if (left > TimeSpan.Zero)
        {
            var wait = request.Headers["X-wait-for-model"].ToString() is "1" or "true";
            if (!wait)
            {
                return ProviderJson.Json(
                    new JsonObject { ["error"] = $"Model {modelId} is currently loading", ["estimated_time"] = Math.Round(left.TotalSeconds, 1) },
                    StatusCodes.Status503ServiceUnavailable);
            }

            await Task.Delay(left, time, context.RequestAborted);
        }

        byte[] image;
        if (request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            var body = await ProviderJson.ReadObjectAsync(request, context.RequestAborted);
            var inputs = body?.GetString("inputs");
            if (inputs is null)
            {
                return ProviderErrors.HuggingFace(StatusCodes.Status422UnprocessableEntity, "Input should be a valid dictionary with 'inputs' as a base64 image string");
            }

            try
            {
                image = Convert.FromBase64String(inputs);
            }
            catch (FormatException)
            {
                return ProviderErrors.HuggingFace(StatusCodes.Status400BadRequest, "Invalid base64 image in 'inputs'");
            }
        }
        else
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            image = buffer.ToArray();
        }

        if (!LooksLikeImage(image))
        {
            return ProviderErrors.HuggingFace(StatusCodes.Status400BadRequest, "cannot identify image file");
        }

        context.Response.Headers["x-compute-type"] = "cpu";
        context.Response.Headers["x-compute-time"] = "0.1";
        // The router (current hf-inference) answers one object: @huggingface/inference 4.x rejects anything else
        // ("expected {generated_text: string}") and huggingface_hub takes either. The legacy serverless API answered
        // a one-element list, which older clients index into.
        var caption = new JsonObject { ["generated_text"] = options.Caption };
        return ProviderJson.Json(legacy ? new JsonArray(caption) : caption);
    }

    private static bool LooksLikeImage(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47])
        || bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
        || (bytes.Length >= 12 && bytes[..4].SequenceEqual("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8))
        || bytes.StartsWith("GIF8"u8)
        || bytes.StartsWith("BM"u8);

    private static async Task WriteEventAsync(HttpResponse response, string name, string data, CancellationToken ct)
    {
        await response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"event: {name}\ndata: {data}\n\n"), Encoding.UTF8, ct);
        await response.Body.FlushAsync(ct);
    }
}
