using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Infrastructure;
using AiServer.ProviderEmulator.Options;
using AiServer.ProviderEmulator.Providers.Bfl;
using Microsoft.Extensions.Options;

namespace AiServer.ProviderEmulator.Apis;

/// <summary>Black Forest Labs under <c>/bfl</c> (stands for <c>https://api.bfl.ai</c> and the us1/eu1 finetune clusters).</summary>
public static class BflApi
{
    private static readonly HashSet<string> OutputFormats = ["jpeg", "png", "webp"];
    private static readonly HashSet<string> FinetuneModes = ["general", "character", "style", "product"];

    public static IEndpointRouteBuilder MapBflApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/bfl/v1").WithTags("Bfl").RequireProviderKey(ProviderIds.Bfl);
        api.MapGet("/get_result", GetResult).WithName("BflGetResult").WithSummary("Poll a task");
        api.MapGet("/credits", GetCredits).WithName("BflGetCredits").WithSummary("Remaining credits");
        api.MapPost("/finetune", CreateFinetune).WithName("BflCreateFinetune").WithSummary("Start a finetune");
        api.MapGet("/finetune_details", GetFinetuneDetails).WithName("BflGetFinetuneDetails").WithSummary("Finetune parameters");
        api.MapGet("/my_finetunes", ListFinetunes).WithName("BflListFinetunes").WithSummary("Own finetunes");
        api.MapPost("/delete_finetune", DeleteFinetune).WithName("BflDeleteFinetune").WithSummary("Delete a finetune");
        api.MapPost("/{endpoint:regex(^flux-[a-z0-9.-]+$)}", CreateGeneration).WithName("BflCreateGeneration").WithSummary("Submit a FLUX generation");
        return app;
    }

    internal static IResult GetResult(string? id, BflStore store)
    {
        if (string.IsNullOrEmpty(id))
        {
            return ProviderErrors.FastApiValidation(["query", "id"], "Field required");
        }

        return ProviderJson.Json(store.Result(id) ?? new JsonObject { ["id"] = id, ["status"] = "Task not found", ["result"] = null, ["progress"] = null, ["details"] = null, ["preview"] = null });
    }

    internal static IResult GetCredits(IOptions<EmulatorOptions> options) =>
        ProviderJson.Json(new JsonObject { ["credits"] = options.Value.Bfl.Credits });

    internal static async Task<IResult> CreateGeneration(string endpoint, HttpRequest request, BflStore store, IOptions<EmulatorOptions> options, CancellationToken cancellationToken)
    {
        var body = await ProviderJson.ReadObjectAsync(request, cancellationToken);
        if (body is null)
        {
            return ProviderErrors.FastApiValidation(["body"], "JSON decode error", "json_invalid");
        }

        var finetuned = endpoint.EndsWith("-finetuned", StringComparison.Ordinal);
        if (finetuned)
        {
            if (body.GetString("finetune_id") is not { Length: > 0 } finetuneId)
            {
                return ProviderErrors.FastApiValidation(["body", "finetune_id"], "Field required");
            }

            if (!finetuneId.Contains('/', StringComparison.Ordinal) && !store.FinetuneExists(finetuneId))
            {
                return ProviderErrors.Bfl(StatusCodes.Status404NotFound, $"Finetune {finetuneId} not found");
            }
        }

        var needsPrompt = !endpoint.Contains("fill", StringComparison.Ordinal) && !endpoint.Contains("expand", StringComparison.Ordinal);
        if (needsPrompt && body.GetString("prompt") is null && body["image_prompt"] is null)
        {
            return ProviderErrors.FastApiValidation(["body", "prompt"], "Field required");
        }

        if (body.GetString("output_format") is { } format && !OutputFormats.Contains(format))
        {
            return ProviderErrors.FastApiValidation(["body", "output_format"], "Input should be 'jpeg', 'png' or 'webp'", "enum");
        }

        if (Throttle(endpoint, request, store, options.Value.Bfl) is { } throttled)
        {
            return throttled;
        }

        var task = NewTask(endpoint, request, body, store, finetune: false);
        store.Add(task);
        return ProviderJson.Json(Accepted(task, request));
    }

    internal static async Task<IResult> CreateFinetune(HttpRequest request, BflStore store, IOptions<EmulatorOptions> options, CancellationToken cancellationToken)
    {
        var body = await ProviderJson.ReadObjectAsync(request, cancellationToken);
        if (body is null)
        {
            return ProviderErrors.FastApiValidation(["body"], "JSON decode error", "json_invalid");
        }

        foreach (var required in new[] { "file_data", "finetune_comment", "mode" })
        {
            if (body.GetString(required) is not { Length: > 0 })
            {
                return ProviderErrors.FastApiValidation(["body", required], "Field required");
            }
        }

        if (!FinetuneModes.Contains(body.GetString("mode")!))
        {
            return ProviderErrors.FastApiValidation(["body", "mode"], "Input should be 'general', 'character', 'style' or 'product'", "enum");
        }

        try
        {
            var zip = Convert.FromBase64String(body.GetString("file_data")!);
            if (zip.Length < 4 || zip[0] != 0x50 || zip[1] != 0x4B)
            {
                return ProviderErrors.Bfl(StatusCodes.Status400BadRequest, "file_data must be a base64-encoded ZIP archive");
            }
        }
        catch (FormatException)
        {
            return ProviderErrors.Bfl(StatusCodes.Status400BadRequest, "file_data must be a base64-encoded ZIP archive");
        }

        if (Throttle("finetune", request, store, options.Value.Bfl) is { } throttled)
        {
            return throttled;
        }

        var task = NewTask("finetune", request, body, store, finetune: true);
        store.Add(task);
        return ProviderJson.Json(new JsonObject { ["finetune_id"] = task.Id, ["polling_url"] = PollingUrl(request, task.Id) });
    }

    internal static IResult GetFinetuneDetails(string? finetune_id, BflStore store) =>
        finetune_id is null
            ? ProviderErrors.FastApiValidation(["query", "finetune_id"], "Field required")
            : store.FinetuneDetails(finetune_id) is { } details
                ? ProviderJson.Json(new JsonObject { ["finetune_details"] = details })
                : ProviderErrors.Bfl(StatusCodes.Status404NotFound, $"Finetune {finetune_id} not found");

    internal static IResult ListFinetunes(BflStore store) =>
        ProviderJson.Json(new JsonObject { ["finetunes"] = new JsonArray([.. store.Finetunes().Select(f => (JsonNode)JsonValue.Create(f))]) });

    internal static async Task<IResult> DeleteFinetune(HttpRequest request, BflStore store, CancellationToken cancellationToken)
    {
        var body = await ProviderJson.ReadObjectAsync(request, cancellationToken);
        if (body?.GetString("finetune_id") is not { Length: > 0 } id)
        {
            return ProviderErrors.FastApiValidation(["body", "finetune_id"], "Field required");
        }

        return store.DeleteFinetune(id)
            ? ProviderJson.Json(new JsonObject
            {
                ["status"] = "success",
                ["message"] = $"Finetune {id} deleted",
                ["deleted_finetune_id"] = id,
                ["timestamp"] = ProviderJson.Timestamp(store.Time.GetUtcNow()),
            })
            : ProviderErrors.Bfl(StatusCodes.Status404NotFound, $"Finetune {id} not found");
    }

    private static IResult? Throttle(string endpoint, HttpRequest request, BflStore store, BflOptions options)
    {
        // Concurrency-based: in-flight tasks, 6 for flux-kontext-max.
        var limit = endpoint == "flux-kontext-max" ? Math.Min(6, options.MaxActiveTasks) : options.MaxActiveTasks;
        var active = endpoint == "flux-kontext-max" ? store.Active(endpoint) : store.Active();
        return active >= limit ? ProviderErrors.RateLimited(ProviderIds.Bfl, request.HttpContext.Response, TimeSpan.FromSeconds(5)) : null;
    }

    private static BflTask NewTask(string endpoint, HttpRequest request, JsonObject body, BflStore store, bool finetune)
    {
        var input = (JsonObject)body.DeepClone();
        input.Remove("webhook_secret");
        input.Remove("file_data"); // do not keep megabytes of training data around
        return new BflTask
        {
            Id = Ids.Uuid(),
            Endpoint = endpoint,
            Input = input,
            CreatedAt = store.Time.GetUtcNow(),
            Outcome = JobOutcomes.From(request, body),
            Duration = JobDurations.For(request, ProviderIds.Bfl, store.Options),
            Origin = RequestUrls.Origin(request),
            WebhookUrl = body.GetString("webhook_url"),
            WebhookSecret = body.GetString("webhook_secret"),
            IsFinetune = finetune,
        };
    }

    private static JsonObject Accepted(BflTask task, HttpRequest request)
    {
        var cost = task.Endpoint.Contains("ultra", StringComparison.Ordinal) ? 6.0 : 4.0;
        if (task.WebhookUrl is not null)
        {
            return new JsonObject { ["id"] = task.Id, ["status"] = "Pending", ["webhook_url"] = task.WebhookUrl, ["cost"] = cost };
        }

        return new JsonObject { ["id"] = task.Id, ["polling_url"] = PollingUrl(request, task.Id), ["cost"] = cost, ["input_mp"] = 0.0, ["output_mp"] = 1.0 };
    }

    private static string PollingUrl(HttpRequest request, string id) => $"{RequestUrls.Origin(request)}/bfl/v1/get_result?id={id}";
}
