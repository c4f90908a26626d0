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

    /// <summary>
    /// <c>GET /v2/generations?status=&amp;ids=</c>. Each filter takes several values in any of the forms the official
    /// SDKs send: repeated (<c>status=A&amp;status=B</c>, sync-python-sdk), comma-separated, or a JSON array
    /// (<c>status=["A","B"]</c>, @sync.so/sdk 0.3).
    /// </summary>
    internal static IResult ListGenerations(HttpRequest request, SyncLabsStore store) =>
        ProviderJson.Json(new JsonArray([.. store.List(QueryValues(request, "status"), QueryValues(request, "ids"))]));

    /// <summary><c>POST /v2/analyze/cost</c>: a list of estimates, as both official SDKs type it (<c>EstimatedGenerationCost[]</c>).</summary>
    internal static async Task<IResult> EstimateCost(HttpRequest request, CancellationToken cancellationToken) =>
        await ProviderJson.ReadObjectAsync(request, cancellationToken) is null
            ? ProviderErrors.Sync(StatusCodes.Status400BadRequest, "invalid_request_body", "Request body must be a JSON object")
            : ProviderJson.Json(new JsonArray(new JsonObject { ["estimatedFrameCount"] = 25, ["estimatedGenerationCost"] = 0.05 }));

    /// <summary><c>GET /v2/models</c>: <c>ModelInfo</c> items (<c>id</c>, <c>name</c>, <c>type</c>, <c>version</c> are required by the SDK typings).</summary>
    internal static IResult ListModels() => ProviderJson.Json(new JsonArray(
        ModelInfo("lipsync-2", "lipsync", "2.0.0", "Lip-sync model v2"),
        ModelInfo("lipsync-2-pro", "lipsync", "2.0.0", "Lip-sync model v2 pro"),
        ModelInfo("lipsync-1.9.0-beta", "lipsync", "1.9.0", "Lip-sync model 1.9 beta"),
        ModelInfo("react-1", "react", "1.0.0", "Facial performance editing"),
        ModelInfo("sync-3", "lipsync", "3.0.0", "Lip-sync model 3")));

    private static JsonObject ModelInfo(string name, string type, string version, string description) =>
        new() { ["id"] = name, ["name"] = name, ["type"] = type, ["version"] = version, ["description"] = description };

    private static HashSet<string>? QueryValues(HttpRequest request, string name)
    {
        if (!request.Query.TryGetValue(name, out var raw) || raw.Count == 0)
        {
            return null;
        }

        var values = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in raw)
        {
            var text = item?.Trim() ?? "";
            if (text.StartsWith('['))
            {
                try
                {
                    if (JsonNode.Parse(text) is JsonArray array)
                    {
                        values.UnionWith(array.Select(v => v?.ToString() ?? "").Where(v => v.Length > 0));
                        continue;
                    }
                }
                catch (System.Text.Json.JsonException)
                {
                    // Not JSON after all: take it as a comma-separated list.
                }
            }

            values.UnionWith(text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        return values;
    }

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
        // "input" is a JSON array in one field, or (@sync.so/sdk 0.3) one field per item, each a JSON object.
        JsonArray input = [];
        try
        {
            foreach (var text in form["input"])
            {
                switch (string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text))
                {
                    case JsonArray items:
                        foreach (var item in items)
                        {
                            input.Add(item?.DeepClone());
                        }

                        break;
                    case JsonObject item:
                        input.Add(item);
                        break;
                    case null:
                        break;
                    default:
                        return null;
                }
            }
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
