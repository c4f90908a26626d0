using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Infrastructure;
using AiServer.ProviderEmulator.Providers.SyncLabs;

namespace AiServer.ProviderEmulator.Apis;

/// <summary>Sync Labs (sync.so) v2 under <c>/synclabs</c> (stands for <c>https://api.sync.so</c>).</summary>
public static class SyncLabsApi
{
    public static IEndpointRouteBuilder MapSyncLabsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/synclabs/v2/errors", ListErrors).WithTags("SyncLabs").WithName("SyncListErrors").WithSummary("Catalog of error codes (no auth)");
        var api = app.MapGroup("/synclabs/v2").WithTags("SyncLabs").RequireProviderKey(ProviderIds.SyncLabs);
        api.MapPost("/generate", CreateGeneration).WithName("SyncCreateGeneration").WithSummary("Create a lip-sync generation (JSON or multipart)").DisableAntiforgery();
        api.MapGet("/generate/{id}", GetGeneration).WithName("SyncGetGeneration").WithSummary("Get a generation");
        api.MapGet("/generations", ListGenerations).WithName("SyncListGenerations").WithSummary("List generations");
        api.MapGet("/generate", ListGenerations).WithName("SyncListGenerationsLegacy").WithSummary("List generations (older path)");
        api.MapPost("/analyze/cost", EstimateCost).WithName("SyncEstimateCost").WithSummary("Estimate the cost of a generation");
        api.MapPost("/generate/estimate-cost", EstimateCost).WithName("SyncEstimateCostLegacy").WithSummary("Estimate the cost (older path)");
        api.MapGet("/models", ListModels).WithName("SyncListModels").WithSummary("Models available to the key");
        return app;
    }

    internal static async Task<IResult> CreateGeneration(HttpRequest request, SyncLabsStore store, CancellationToken cancellationToken)
    {
        JsonObject? body;
        if (request.HasFormContentType)
        {
            body = await FromFormAsync(request, cancellationToken);
        }
        else
        {
            body = await ProviderJson.ReadObjectAsync(request, cancellationToken);
        }

        if (body is null)
        {
            return ProviderErrors.Sync(StatusCodes.Status400BadRequest, "invalid_request_body", "Request body must be a JSON object");
        }

        var problems = new List<string>();
        var model = body.GetString("model");
        if (string.IsNullOrWhiteSpace(model))
        {
            problems.Add("model should not be empty");
        }

        var input = body["input"] as JsonArray;
        var videos = input?.Count(i => i is JsonObject o && o.GetString("type") == "video" && o.GetString("url") is { Length: > 0 }) ?? 0;
        var audios = input?.Count(i => i is JsonObject o && (o.GetString("type") == "text" || (o.GetString("type") == "audio" && o.GetString("url") is { Length: > 0 }))) ?? 0;
        if (videos != 1)
        {
            problems.Add("input must contain exactly one video with a url");
        }

        if (audios < 1)
        {
            problems.Add("input must contain at least one audio or text item");
        }

        if (body.GetString("webhookUrl") is { } hook && !Uri.TryCreate(hook, UriKind.Absolute, out _))
        {
            problems.Add("webhookUrl must be a URL address");
        }

        if (problems.Count > 0)
        {
            return ProviderJson.Json(
                new JsonObject
                {
                    ["statusCode"] = 400,
                    ["errorCode"] = "validation_error",
                    ["message"] = new JsonArray([.. problems.Select(p => (JsonNode)JsonValue.Create(p))]),
                    ["error"] = "Bad Request",
                },
                StatusCodes.Status400BadRequest);
        }

        var generation = new SyncGeneration
        {
            Id = Ids.Uuid(),
            CreatedAt = store.Time.GetUtcNow(),
            Model = model!,
            Input = (JsonArray)input!.DeepClone(),
            Options = body["options"]?.DeepClone(),
            Segments = body["segments"]?.DeepClone(),
            WebhookUrl = body.GetString("webhookUrl"),
            OutputFileName = body.GetString("outputFileName"),
            Origin = RequestUrls.Origin(request),
            Outcome = JobOutcomes.From(request, body),
            Duration = JobDurations.For(request, ProviderIds.SyncLabs, store.Options),
        };
        var key = request.Headers["Idempotency-Key"].FirstOrDefault();
        return ProviderJson.Json(store.Create(generation, string.IsNullOrWhiteSpace(key) ? null : key), StatusCodes.Status201Created);
    }

    internal static IResult GetGeneration(string id, SyncLabsStore store) =>
        store.Get(id) is { } g
            ? ProviderJson.Json(g)
            : ProviderErrors.Sync(StatusCodes.Status404NotFound, "generation_not_found", $"Generation {id} not found");

    internal static IResult ListGenerations(SyncLabsStore store, string? status) =>
        ProviderJson.Json(new JsonArray([.. store.List(status)]));

    internal static async Task<IResult> EstimateCost(HttpRequest request, CancellationToken cancellationToken) =>
        await ProviderJson.ReadObjectAsync(request, cancellationToken) is null
            ? ProviderErrors.Sync(StatusCodes.Status400BadRequest, "invalid_request_body", "Request body must be a JSON object")
            : ProviderJson.Json(new JsonObject { ["estimatedFrameCount"] = 25, ["estimatedGenerationCost"] = 0.05 });

    internal static IResult ListModels() => ProviderJson.Json(new JsonArray(
        new JsonObject { ["name"] = "lipsync-2", ["description"] = "Lip-sync model v2" },
        new JsonObject { ["name"] = "lipsync-2-pro", ["description"] = "Lip-sync model v2 pro" },
        new JsonObject { ["name"] = "lipsync-1.9.0-beta", ["description"] = "Lip-sync model 1.9 beta" },
        new JsonObject { ["name"] = "react-1", ["description"] = "Facial performance editing" },
        new JsonObject { ["name"] = "sync-3", ["description"] = "Lip-sync model 3" }));

    internal static IResult ListErrors() => ProviderJson.Json(new JsonArray(
        Error("unauthorized", 401, "Invalid or missing API key"),
        Error("validation_error", 400, "The request is invalid"),
        Error("generation_not_found", 404, "Generation not found"),
        Error("rate_limit_exceeded", 429, "Rate limit exceeded. Please try again later."),
        Error("concurrency_limit_reached", 429, "Your plan's concurrency limit is reached"),
        Error("payment_required", 402, "Billing or plan state does not allow this request"),
        Error("generation_failed", 500, "The generation failed")));

    private static JsonObject Error(string code, int status, string message) =>
        new() { ["errorCode"] = code, ["httpStatus"] = status, ["message"] = message };

    /// <summary>The multipart variant: file parts <c>video</c>/<c>audio</c> plus form fields, turned into the JSON shape.</summary>
    private static async Task<JsonObject?> FromFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var form = await request.ReadFormAsync(cancellationToken);
        var origin = RequestUrls.Origin(request);
        JsonArray input;
        try
        {
            input = form["input"].FirstOrDefault() is { Length: > 0 } text ? JsonNode.Parse(text) as JsonArray ?? [] : [];
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }

        foreach (var kind in new[] { "video", "audio" })
        {
            if (form.Files.GetFile(kind) is { } file)
            {
                input.Add(new JsonObject { ["type"] = kind, ["url"] = $"{origin}/files/uploads/{Ids.Uuid()}/{file.FileName}" });
            }
        }

        var body = new JsonObject { ["model"] = form["model"].FirstOrDefault(), ["input"] = input };
        if (form["webhookUrl"].FirstOrDefault() is { Length: > 0 } hook)
        {
            body["webhookUrl"] = hook;
        }

        if (form["options"].FirstOrDefault() is { Length: > 0 } options)
        {
            try
            {
                body["options"] = JsonNode.Parse(options);
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }

        return body;
    }
}
