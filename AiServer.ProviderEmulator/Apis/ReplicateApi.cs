using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AiServer.ProviderEmulator.Infrastructure;
using AiServer.ProviderEmulator.Options;
using AiServer.ProviderEmulator.Providers.Replicate;
using Microsoft.Extensions.Options;

namespace AiServer.ProviderEmulator.Apis;

/// <summary>Replicate's HTTP API under <c>/replicate</c> (BaseUrl <c>http://host:port/replicate</c> stands for <c>https://api.replicate.com</c>).</summary>
public static partial class ReplicateApi
{
    private static readonly HashSet<string> PredictionFields = ["version", "input", "webhook", "webhook_events_filter", "stream"];
    private static readonly HashSet<string> ModelPredictionFields = ["input", "webhook", "webhook_events_filter", "stream"];
    private static readonly HashSet<string> TrainingFields = ["destination", "input", "webhook", "webhook_events_filter"];
    private static readonly HashSet<string> EventNames = ["start", "output", "logs", "completed"];

    public static IEndpointRouteBuilder MapReplicateApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // The output stream of a text prediction (stands for stream.replicate.com): no token, as the SDKs send none.
        app.MapGet("/replicate/stream/{id}", StreamPrediction).WithTags("Replicate").WithName("ReplicateStreamPrediction").WithSummary("Server-sent output events of a prediction");
        var api = app.MapGroup("/replicate/v1").WithTags("Replicate").RequireProviderKey(ProviderIds.Replicate);
        api.MapGet("/account", GetAccount).WithName("ReplicateGetAccount").WithSummary("Account of the token");
        api.MapPost("/predictions", CreatePrediction).WithName("ReplicateCreatePrediction").WithSummary("Create a prediction from a version");
        api.MapPost("/models/{owner}/{name}/predictions", CreateModelPrediction).WithName("ReplicateCreateModelPrediction").WithSummary("Create a prediction for an official model");
        api.MapPost("/deployments/{owner}/{name}/predictions", CreateDeploymentPrediction).WithName("ReplicateCreateDeploymentPrediction").WithSummary("Create a prediction on a deployment");
        api.MapGet("/predictions", ListPredictions).WithName("ReplicateListPredictions").WithSummary("List predictions, newest first");
        api.MapGet("/predictions/{id}", GetPrediction).WithName("ReplicateGetPrediction").WithSummary("Get a prediction");
        api.MapPost("/predictions/{id}/cancel", CancelPrediction).WithName("ReplicateCancelPrediction").WithSummary("Cancel a prediction");
        api.MapPost("/models/{owner}/{name}/versions/{versionId}/trainings", CreateTraining).WithName("ReplicateCreateTraining").WithSummary("Create a training");
        api.MapGet("/trainings", ListTrainings).WithName("ReplicateListTrainings").WithSummary("List trainings, newest first");
        api.MapGet("/trainings/{id}", GetTraining).WithName("ReplicateGetTraining").WithSummary("Get a training");
        api.MapPost("/trainings/{id}/cancel", CancelTraining).WithName("ReplicateCancelTraining").WithSummary("Cancel a training");
        api.MapPost("/models", CreateModel).WithName("ReplicateCreateModel").WithSummary("Create a model");
        api.MapGet("/models", ListModels).WithName("ReplicateListModels").WithSummary("List models");
        api.MapGet("/models/{owner}/{name}", GetModel).WithName("ReplicateGetModel").WithSummary("Get a model");
        api.MapGet("/models/{owner}/{name}/versions", ListVersions).WithName("ReplicateListVersions").WithSummary("List a model's versions");
        api.MapGet("/models/{owner}/{name}/versions/{versionId}", GetVersion).WithName("ReplicateGetVersion").WithSummary("A model version");
        api.MapPost("/files", UploadFile).WithName("ReplicateUploadFile").WithSummary("Upload a file (multipart field content)").DisableAntiforgery();
        api.MapGet("/files", ListFiles).WithName("ReplicateListFiles").WithSummary("List uploaded files");
        api.MapGet("/files/{id}", GetFile).WithName("ReplicateGetFile").WithSummary("An uploaded file's metadata");
        api.MapGet("/files/{id}/download", DownloadFile).WithName("ReplicateDownloadFile").WithSummary("An uploaded file's content");
        api.MapDelete("/files/{id}", DeleteFile).WithName("ReplicateDeleteFile").WithSummary("Delete an uploaded file");
        api.MapGet("/hardware", ListHardware).WithName("ReplicateListHardware").WithSummary("Hardware SKUs");
        api.MapGet("/webhooks/default/secret", GetWebhookSecret).WithName("ReplicateGetWebhookSecret").WithSummary("Webhook signing secret");
        return app;
    }

    internal static IResult GetAccount(IOptions<EmulatorOptions> options) => ProviderJson.Json(new JsonObject
    {
        ["type"] = "organization",
        ["username"] = options.Value.Replicate.Username,
        ["name"] = options.Value.Replicate.Username,
        ["github_url"] = null,
        ["avatar_url"] = null,
    });

    internal static async Task<IResult> CreatePrediction(HttpRequest request, ReplicateStore store, CancellationToken cancellationToken)
    {
        var body = await ProviderJson.ReadObjectAsync(request, cancellationToken);
        if (body is null)
        {
            return ProviderErrors.Replicate(StatusCodes.Status400BadRequest, "The request body is not valid JSON.", "Bad request");
        }

        if (Validate(body, PredictionFields, requireVersion: true) is { } invalid)
        {
            return invalid;
        }

        var version = body.GetString("version")!;
        var match = VersionPattern().Match(version);
        if (!match.Success)
        {
            return ProviderErrors.Replicate(
                StatusCodes.Status422UnprocessableEntity,
                "The specified version does not exist (or perhaps you don't have permission to use it?)",
                "Invalid version or not permitted");
        }

        var model = match.Groups["model"].Success ? match.Groups["model"].Value : "emulator/model";
        var versionId = match.Groups["hash"].Success ? match.Groups["hash"].Value : "hidden";
        return await CreateAsync(request, store, body, model, versionId, null, cancellationToken);
    }

    internal static async Task<IResult> CreateModelPrediction(string owner, string name, HttpRequest request, ReplicateStore store, CancellationToken cancellationToken)
    {
        var body = await ProviderJson.ReadObjectAsync(request, cancellationToken);
        if (body is null)
        {
            return ProviderErrors.Replicate(StatusCodes.Status400BadRequest, "The request body is not valid JSON.", "Bad request");
        }

        return Validate(body, ModelPredictionFields, requireVersion: false) is { } invalid
            ? invalid
            : await CreateAsync(request, store, body, $"{owner}/{name}", "hidden", null, cancellationToken);
    }

    internal static async Task<IResult> CreateDeploymentPrediction(string owner, string name, HttpRequest request, ReplicateStore store, CancellationToken cancellationToken)
    {
        var body = await ProviderJson.ReadObjectAsync(request, cancellationToken);
        if (body is null)
        {
            return ProviderErrors.Replicate(StatusCodes.Status400BadRequest, "The request body is not valid JSON.", "Bad request");
        }

        return Validate(body, ModelPredictionFields, requireVersion: false) is { } invalid
            ? invalid
            : await CreateAsync(request, store, body, $"{owner}/{name}", Ids.Hex64(), $"{owner}/{name}", cancellationToken);
    }

    internal static IResult ListPredictions(HttpRequest request, ReplicateStore store, string? cursor) =>
        Page(request, store.List(training: false), cursor);

    internal static IResult GetPrediction(string id, ReplicateStore store) =>
        store.Snapshot(id) is { } json ? ProviderJson.Json(json) : NotFound();

    internal static IResult CancelPrediction(string id, ReplicateStore store) =>
        store.Cancel(id) is { } json ? ProviderJson.Json(json) : NotFound();

    internal static async Task<IResult> CreateTraining(string owner, string name, string versionId, HttpRequest request, ReplicateStore store, CancellationToken cancellationToken)
    {
        var body = await ProviderJson.ReadObjectAsync(request, cancellationToken);
        if (body is null)
        {
            return ProviderErrors.Replicate(StatusCodes.Status400BadRequest, "The request body is not valid JSON.", "Bad request");
        }

        var fields = new List<JsonObject>();
        if (body.GetString("destination") is not { Length: > 0 } destination)
        {
            fields.Add(Field("required", "destination is required"));
            destination = string.Empty;
        }

        if (Validate(body, TrainingFields, requireVersion: false, fields) is { } invalid)
        {
            return invalid;
        }

        if (destination.Split('/') is not [var destOwner, var destName] || !store.ModelExists(destOwner, destName))
        {
            return ProviderErrors.Replicate(StatusCodes.Status404NotFound, "The specified training destination does not exist");
        }

        var job = NewJob(request, body, $"{owner}/{name}", versionId, null, training: true, destination, store);
        store.Create(job);
        return ProviderJson.Json(job.ToJson(createResponse: true), StatusCodes.Status201Created);
    }

    internal static IResult ListTrainings(HttpRequest request, ReplicateStore store, string? cursor) =>
        Page(request, store.List(training: true), cursor);

    internal static IResult GetTraining(string id, ReplicateStore store) =>
        store.Snapshot(id, training: true) is { } json ? ProviderJson.Json(json) : NotFound();

    internal static IResult CancelTraining(string id, ReplicateStore store) =>
        store.Get(id) is { IsTraining: true } && store.Cancel(id) is { } json ? ProviderJson.Json(json) : NotFound();

    internal static async Task<IResult> CreateModel(HttpRequest request, ReplicateStore store, CancellationToken cancellationToken)
    {
        var body = await ProviderJson.ReadObjectAsync(request, cancellationToken);
        if (body is null)
        {
            return ProviderErrors.Replicate(StatusCodes.Status400BadRequest, "The request body is not valid JSON.", "Bad request");
        }

        var fields = new List<JsonObject>();
        foreach (var required in new[] { "owner", "name", "visibility", "hardware" })
        {
            if (body.GetString(required) is not { Length: > 0 })
            {
                fields.Add(Field("required", $"{required} is required"));
            }
        }

        if (body.GetString("visibility") is { } visibility && visibility is not ("public" or "private"))
        {
            fields.Add(Field("enum", "visibility must be one of the following: \"public\", \"private\"", "visibility"));
        }

        if (fields.Count > 0)
        {
            return ValidationFailed(fields);
        }

        var model = ReplicateStore.NewModel(body.GetString("owner")!, body.GetString("name")!, body.GetString("visibility")!, body.GetString("hardware")!, body.GetString("description"));
        return store.AddModel(model)
            ? ProviderJson.Json(model.DeepClone(), StatusCodes.Status201Created)
            : ProviderErrors.Replicate(StatusCodes.Status409Conflict, "A model with that name and owner already exists.", "Conflict");
    }

    internal static IResult ListModels(HttpRequest request, ReplicateStore store, string? cursor) => Page(request, store.ListModels(), cursor);

    internal static IResult GetModel(string owner, string name, ReplicateStore store) =>
        store.GetModel(owner, name) is { } model ? ProviderJson.Json(model) : NotFound();

    internal static IResult ListVersions(string owner, string name, HttpRequest request, ReplicateStore store, string? cursor) =>
        store.ModelExists(owner, name) ? Page(request, store.ListVersions(owner, name), cursor) : NotFound();

    /// <summary><c>GET /v1/models/{owner}/{name}/versions/{id}</c> (SDK <c>models.versions.get</c>): a version the model has (e.g. from a training), else 404.</summary>
    internal static IResult GetVersion(string owner, string name, string versionId, ReplicateStore store) =>
        store.ListVersions(owner, name).FirstOrDefault(v => v.GetString("id") == versionId) is { } version ? ProviderJson.Json(version) : NotFound();

    internal static async Task<IResult> UploadFile(HttpRequest request, ReplicateFileStore files, TimeProvider time, CancellationToken cancellationToken)
    {
        if (request.ContentLength > ReplicateFileStore.MaxFileSize)
        {
            return ProviderErrors.Replicate(StatusCodes.Status413PayloadTooLarge, "The file is larger than the maximum of 100 MiB.", "Request Entity Too Large");
        }

        if (!request.HasFormContentType)
        {
            return ProviderErrors.Replicate(StatusCodes.Status400BadRequest, "Expected multipart/form-data with a 'content' file.", "Bad request");
        }

        var form = await request.ReadFormAsync(cancellationToken);
        if (form.Files.GetFile("content") is not { } part)
        {
            return ProviderErrors.Replicate(StatusCodes.Status400BadRequest, "Missing file field 'content'.", "Bad request");
        }

        if (part.Length > ReplicateFileStore.MaxFileSize)
        {
            return ProviderErrors.Replicate(StatusCodes.Status413PayloadTooLarge, "The file is larger than the maximum of 100 MiB.", "Request Entity Too Large");
        }

        using var buffer = new MemoryStream();
        await part.CopyToAsync(buffer, cancellationToken);
        var metadata = await ReadMetadataAsync(form, cancellationToken);
        var file = new ReplicateFile(Ids.Replicate(), form["filename"].FirstOrDefault() ?? part.FileName, part.ContentType ?? "application/octet-stream", buffer.ToArray(), metadata, time.GetUtcNow());
        files.Add(file);
        return ProviderJson.Json(FileJson(request, file), StatusCodes.Status201Created);
    }

    /// <summary>
    /// <c>metadata</c> as a text field, or as a JSON file part — the official JavaScript SDK (replicate 1.x) sends it
    /// as a <c>Blob</c> of type <c>application/json</c>, which arrives as a file.
    /// </summary>
    private static async Task<string> ReadMetadataAsync(IFormCollection form, CancellationToken cancellationToken)
    {
        if (form["metadata"].FirstOrDefault() is { Length: > 0 } field)
        {
            return field;
        }

        if (form.Files.GetFile("metadata") is { Length: > 0 and <= 64 * 1024 } part)
        {
            using var reader = new StreamReader(part.OpenReadStream());
            return await reader.ReadToEndAsync(cancellationToken);
        }

        return "{}";
    }

    internal static IResult ListFiles(HttpRequest request, ReplicateFileStore files, string? cursor) =>
        Page(request, [.. files.List().Select(f => FileJson(request, f))], cursor);

    internal static IResult GetFile(string id, HttpRequest request, ReplicateFileStore files) =>
        files.Get(id) is { } file ? ProviderJson.Json(FileJson(request, file)) : NotFound();

    internal static IResult DownloadFile(string id, ReplicateFileStore files) =>
        files.Get(id) is { } file ? TypedResults.Bytes(file.Content, file.ContentType, file.Name) : NotFound();

    internal static IResult DeleteFile(string id, ReplicateFileStore files) =>
        files.Delete(id) ? TypedResults.NoContent() : NotFound();

    internal static IResult ListHardware() => ProviderJson.Json(new JsonArray(
        new JsonObject { ["sku"] = "cpu", ["name"] = "CPU" },
        new JsonObject { ["sku"] = "gpu-t4", ["name"] = "Nvidia T4 GPU" },
        new JsonObject { ["sku"] = "gpu-a40-small", ["name"] = "Nvidia A40 GPU" },
        new JsonObject { ["sku"] = "gpu-a40-large", ["name"] = "Nvidia A40 (Large) GPU" },
        new JsonObject { ["sku"] = "gpu-a100-large", ["name"] = "Nvidia A100 (80GB) GPU" },
        new JsonObject { ["sku"] = "gpu-h100", ["name"] = "Nvidia H100 GPU" }));

    internal static IResult GetWebhookSecret(IOptions<EmulatorOptions> options) =>
        ProviderJson.Json(new JsonObject { ["key"] = options.Value.Replicate.WebhookSecret });

    private static async Task<IResult> CreateAsync(HttpRequest request, ReplicateStore store, JsonObject body, string model, string version, string? deployment, CancellationToken cancellationToken)
    {
        TimeSpan? wait = null;
        var prefer = request.Headers["Prefer"].ToString();
        if (prefer.Length > 0)
        {
            var m = PreferPattern().Match(prefer);
            if (!m.Success)
            {
                return ProviderErrors.Replicate(StatusCodes.Status400BadRequest, "Invalid Prefer header: expected wait or wait=N with N between 1 and 60.", "Bad request");
            }

            wait = TimeSpan.FromSeconds(m.Groups["n"].Success ? int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture) : 60);
        }

        TimeSpan? cancelAfter = null;
        if (request.Headers["Cancel-After"].ToString() is { Length: > 0 } cancelHeader)
        {
            cancelAfter = ParseDuration(cancelHeader);
            if (cancelAfter is null || cancelAfter < TimeSpan.FromSeconds(5))
            {
                return ProviderErrors.Replicate(StatusCodes.Status400BadRequest, "Invalid Cancel-After header: use a duration such as 30s, 5m or 1h30m, at least 5s.", "Bad request");
            }
        }

        var job = NewJob(request, body, model, version, deployment, training: false, null, store, cancelAfter);
        store.Create(job);
        if (wait is { } limit)
        {
            request.HttpContext.Response.Headers["Preference-Applied"] = prefer.Trim();
            try
            {
                await job.Terminal.Task.WaitAsync(limit, store.Time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Not finished within the wait: answer with the job as it is.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The emulator was reset while we waited: answer with what we have.
            }
        }

        var snapshot = store.Snapshot(job.Id) ?? job.ToJson();
        var complete = snapshot.GetString("status") is "succeeded" or "failed" or "canceled" or "aborted";
        return ProviderJson.Json(snapshot, wait is not null && !complete ? StatusCodes.Status202Accepted : StatusCodes.Status201Created);
    }

    private static ReplicateJob NewJob(HttpRequest request, JsonObject body, string model, string version, string? deployment, bool training, string? destination, ReplicateStore store, TimeSpan? cancelAfter = null)
    {
        var now = store.Time.GetUtcNow();
        return new ReplicateJob
        {
            Id = Ids.Replicate(),
            IsTraining = training,
            Model = model,
            Version = version,
            Input = body["input"] as JsonObject ?? [],
            Origin = RequestUrls.Origin(request),
            CreatedAt = now,
            Outcome = JobOutcomes.From(request, body["input"]),
            Duration = JobDurations.For(request, ProviderIds.Replicate, store.Options),
            Destination = destination,
            Webhook = body.GetString("webhook"),
            WebhookEventsFilter = body["webhook_events_filter"] is JsonArray filter ? [.. filter.Select(e => e?.GetValue<string>() ?? string.Empty)] : null,
            Deadline = cancelAfter is { } after ? now + after : null,
            Deployment = deployment,
        };
    }

    /// <summary>Replicate's payload validation: unknown top-level keys and a missing input are listed in <c>invalid_fields</c> (422).</summary>
    private static IResult? Validate(JsonObject body, HashSet<string> allowed, bool requireVersion, List<JsonObject>? fields = null)
    {
        fields ??= [];
        if (requireVersion && body.GetString("version") is not { Length: > 0 })
        {
            fields.Add(Field("required", "version is required"));
        }

        if (body["input"] is not JsonObject)
        {
            fields.Add(Field("required", "input is required"));
        }

        foreach (var (key, _) in body)
        {
            if (!allowed.Contains(key))
            {
                fields.Add(Field("additional_property_not_allowed", $"Additional property {key} is not allowed"));
            }
        }

        if (body.GetString("webhook") is { } webhook && !Uri.TryCreate(webhook, UriKind.Absolute, out _))
        {
            fields.Add(Field("format", "Does not match format 'uri'", "webhook"));
        }

        if (body["webhook_events_filter"] is { } events)
        {
            if (events is not JsonArray array || array.Any(e => e is not JsonValue v || !v.TryGetValue<string>(out var s) || !EventNames.Contains(s)))
            {
                fields.Add(Field("enum", "webhook_events_filter items must be one of: start, output, logs, completed", "webhook_events_filter"));
            }
        }

        return fields.Count > 0 ? ValidationFailed(fields) : null;
    }

    private static JsonObject FileJson(HttpRequest request, ReplicateFile file)
    {
        JsonNode? metadata;
        try
        {
            metadata = JsonNode.Parse(file.Metadata);
        }
        catch (System.Text.Json.JsonException)
        {
            metadata = new JsonObject();
        }

        return new JsonObject
        {
            ["id"] = file.Id,
            ["name"] = file.Name,
            ["content_type"] = file.ContentType,
            ["size"] = file.Content.Length,
            // MD5 only mirrors the etag/checksum fields Replicate returns; nothing is secured by it.
            ["etag"] = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(file.Content)),
            ["checksums"] = new JsonObject
            {
                ["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(file.Content)),
                ["md5"] = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(file.Content)),
            },
            ["metadata"] = metadata,
            ["created_at"] = ProviderJson.Timestamp(file.CreatedAt),
            ["expires_at"] = ProviderJson.Timestamp(file.CreatedAt.AddDays(1)),
            ["urls"] = new JsonObject { ["get"] = $"{RequestUrls.Origin(request)}/replicate/v1/files/{file.Id}" },
        };
    }

    private static IResult ValidationFailed(List<JsonObject> fields) => ProviderJson.Json(
        new JsonObject
        {
            ["title"] = "Input validation failed",
            ["detail"] = string.Join("; ", fields.Select(f => f.GetString("description"))),
            ["status"] = StatusCodes.Status422UnprocessableEntity,
            ["invalid_fields"] = new JsonArray([.. fields]),
        },
        StatusCodes.Status422UnprocessableEntity,
        ProviderJson.ProblemJson);

    private static JsonObject Field(string type, string description, string field = "") =>
        new() { ["type"] = type, ["field"] = field, ["description"] = description };

    /// <summary>
    /// <c>urls.stream</c>: <c>event: output</c> per token, spread from the start of processing to the end of the job,
    /// then <c>event: done</c> with <c>{}</c> (succeeded) or <c>{"reason":"canceled"}</c>, or <c>event: error</c> with
    /// <c>{"detail": error}</c> for a failed prediction. Tokens are only sent for a prediction that will succeed.
    /// </summary>
    internal static async Task StreamPrediction(string id, HttpContext context, ReplicateStore store, IHostApplicationLifetime lifetime)
    {
        var job = store.Get(id);
        if (job is null || job.IsTraining || ReplicateOutputs.Tokens(job) is not { } tokens)
        {
            await NotFound().ExecuteAsync(context);
            return;
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var time = store.Time;
        var start = job.CreatedAt + (job.Duration / 2);
        var end = job.CreatedAt + job.Duration;
        try
        {
            await WaitAsync(start, job, time, stop.Token);
            for (var i = 0; i < tokens.Count && job.Outcome == JobOutcome.Succeeded && !job.Terminal.Task.IsCompleted; i++)
            {
                await WriteEventAsync(response, "output", $"{time.GetUtcNow().ToUnixTimeSeconds()}:{i}", tokens[i], stop.Token);
                await WaitAsync(start + ((end - start) * (i + 1) / tokens.Count), job, time, stop.Token);
            }

            await job.Terminal.Task.WaitAsync(stop.Token);
            var final = store.Snapshot(id);
            var (name, data) = (string?)final?["status"] switch
            {
                "succeeded" => ("done", "{}"),
                "failed" => ("error", new JsonObject { ["detail"] = (string?)final!["error"] ?? "Prediction failed" }.ToJsonString()),
                _ => ("done", """{"reason":"canceled"}"""),
            };
            await WriteEventAsync(response, name, $"{time.GetUtcNow().ToUnixTimeSeconds()}:{tokens.Count}", data, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the client went away or the emulator is stopping
        }
    }

    /// <summary>Until <paramref name="until"/>, or sooner when the job ends (e.g. is canceled).</summary>
    private static async Task WaitAsync(DateTimeOffset until, ReplicateJob job, TimeProvider time, CancellationToken cancellationToken)
    {
        var left = until - time.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            await Task.WhenAny(Task.Delay(left, time, cancellationToken), job.Terminal.Task);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private static async Task WriteEventAsync(HttpResponse response, string name, string id, string data, CancellationToken cancellationToken)
    {
        var lines = string.Concat(data.Split('\n').Select(line => $"data: {line}\n"));
        await response.WriteAsync($"event: {name}\nid: {id}\n{lines}\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    private static IResult NotFound() =>
        ProviderErrors.Replicate(StatusCodes.Status404NotFound, "The requested resource could not be found.");

    private static IResult Page(HttpRequest request, List<JsonObject> items, string? cursor)
    {
        const int pageSize = 100;
        var offset = int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var c) ? c : 0;
        var self = $"{RequestUrls.Origin(request)}{request.Path}";
        var page = items.Skip(offset).Take(pageSize).ToList();
        return ProviderJson.Json(new JsonObject
        {
            ["next"] = offset + pageSize < items.Count ? $"{self}?cursor={offset + pageSize}" : null,
            ["previous"] = offset > 0 ? $"{self}?cursor={Math.Max(0, offset - pageSize)}" : null,
            ["results"] = new JsonArray([.. page]),
        });
    }

    /// <summary>Go-style durations (<c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>500ms</c>); a bare number is seconds.</summary>
    internal static TimeSpan? ParseDuration(string text)
    {
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var bare))
        {
            return bare >= 0 ? TimeSpan.FromSeconds(bare) : null;
        }

        var matches = DurationPart().Matches(text);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text)
        {
            return null;
        }

        var total = TimeSpan.Zero;
        foreach (Match m in matches)
        {
            var value = double.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture);
            total += m.Groups["u"].Value switch
            {
                "h" => TimeSpan.FromHours(value),
                "m" => TimeSpan.FromMinutes(value),
                "s" => TimeSpan.FromSeconds(value),
                _ => TimeSpan.FromMilliseconds(value),
            };
        }

        return total;
    }

    [GeneratedRegex(@"^(?:(?<model>[a-z0-9][\w.-]*/[\w.-]+)(?::(?<hash>[0-9a-f]{64}))?|(?<hash>[0-9a-f]{64}))$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"^\s*wait(?:=(?<n>[1-9]|[1-5][0-9]|60))?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex PreferPattern();

    [GeneratedRegex(@"(?<v>\d+(?:\.\d+)?)(?<u>ms|h|m|s)", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPart();
}
