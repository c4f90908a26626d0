using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiServer.Api.Auth;
using AiServer.Jobs;
using AiServer.Jobs.Execution;
using AiServer.Jobs.Store;
using AiServer.Jobs.Submission;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiServer.Api.Apis;

/// <summary>
/// The job API under <c>/v1/jobs</c>: submit (<c>Idempotency-Key</c>, <c>Prefer: wait=N</c>), read, list, cancel,
/// follow (server-sent events, resumable) and fetch the output. Every route needs an API key and is rate-limited per key;
/// a key sees only its own jobs (another key's job is 404, as if it did not exist).
/// </summary>
public static partial class JobsApi
{
    /// <summary>The rate-limiter policy of the job routes (partitioned by API key).</summary>
    public const string RateLimitPolicy = "api-key";

    private const int MaxIdempotencyKeyLength = 255;

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var jobs = endpoints.MapGroup("/v1/jobs")
            .WithTags("Jobs")
            .AddEndpointFilter(RequireApiKeyAsync)
            .AddEndpointFilter(HandleRedisOutageAsync)
            .RequireRateLimiting(RateLimitPolicy)
            .DisableAntiforgery();
        jobs.MapPost("/{kind}", SubmitAsync)
            .WithName("SubmitJob")
            .WithSummary("Queues a job of a kind (model-training, image-generation, speech, voice-clone, lip-sync, image-caption).")
            .Accepts<JsonObject>("application/json")
            .Produces<JobView>(StatusCodes.Status202Accepted)
            .Produces<JobView>(StatusCodes.Status200OK)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        jobs.MapGet("/", ListAsync)
            .WithName("ListJobs")
            .WithSummary("The caller's jobs, newest first (?kind=&status=&cursor=&limit=1..100).")
            .Produces<JobListView>()
            .ProducesValidationProblem();
        jobs.MapGet("/{id}", GetAsync)
            .WithName("GetJob")
            .WithSummary("One of the caller's jobs.")
            .Produces<JobView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        jobs.MapPost("/{id}/cancel", CancelAsync)
            .WithName("CancelJob")
            .WithSummary("Cancels a job that has not finished, at the provider too where it can.")
            .Produces<JobView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        jobs.MapGet("/{id}/events", EventsAsync)
            .WithName("JobEvents")
            .WithSummary("Server-sent events of every status change; resumable with Last-Event-ID; ends after the final state.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);
        jobs.MapGet("/{id}/output", GetOutputAsync)
            .WithName("GetJobOutput")
            .WithSummary("The job's output file (range requests supported).")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    internal static async Task<IResult> SubmitAsync(
        string kind,
        HttpContext http,
        JobStore store,
        JobRequestValidator validator,
        JobNotifier notifier,
        JobTelemetry telemetry,
        ICircuitBreakerRegistry breakers,
        IOptionsMonitor<JobsOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!JobKinds.IsKnown(kind))
        {
            return Problem(StatusCodes.Status404NotFound, "Unknown job kind", $"'{kind}' is not a job kind; use one of {string.Join(", ", JobKinds.All)}.");
        }

        var client = (ApiClient)http.Items[typeof(ApiClient)]!;
        var request = http.Request;
        var idempotencyKey = request.Headers["Idempotency-Key"].ToString();
        if (request.Headers.ContainsKey("Idempotency-Key") && (idempotencyKey.Length is 0 or > MaxIdempotencyKeyLength || !idempotencyKey.All(c => c is >= '!' and <= '~')))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["Idempotency-Key"] = [$"Must be 1 to {MaxIdempotencyKeyLength} visible ASCII characters."] });
        }

        var prefer = ParsePreferWait(request, options.CurrentValue.MaxWait);
        if (prefer is { Error: { } preferError })
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["Prefer"] = [preferError] });
        }

        if (request.ContentType is not { } contentType || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the job as application/json.");
        }

        var (body, readError) = await ReadBodyAsync(request, options.CurrentValue.MaxRequestBytes, cancellationToken).ConfigureAwait(false);
        if (readError is not null)
        {
            return readError;
        }

        var (errors, provider, pinned) = await validator.ValidateAsync(kind, body!, cancellationToken).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: $"Invalid {kind} job");
        }

        var now = time.GetUtcNow();
        var job = new JobRecord
        {
            Id = store.NewId(),
            Kind = kind,
            Status = JobStatus.Queued,
            Provider = provider,
            ProviderPinned = pinned,
            Owner = client.Id,
            Input = body!,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        var bodyHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(kind + "\n" + body!.ToJsonString())));
        var keyHash = idempotencyKey.Length == 0 ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)));
        var activity = System.Diagnostics.Activity.Current;
        var created = await store.CreateAsync(job, keyHash, bodyHash, activity?.Id, activity?.TraceStateString).ConfigureAwait(false);

        if (created.KeyReusedWithOtherBody)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "Idempotency key reused", "This Idempotency-Key was used with a different request; use a new key for a new job.");
        }

        if (created.Job is null)
        {
            return Problem(StatusCodes.Status409Conflict, "Idempotency key expired job", "The job this Idempotency-Key created no longer exists; use a new key.");
        }

        job = created.Job;
        if (created.Created)
        {
            telemetry.Submitted(kind);
            notifier.SignalWork(kind);
        }
        else
        {
            http.Response.Headers["Idempotent-Replayed"] = "true";
        }

        http.Response.Headers.Location = "/v1/jobs/" + job.Id;
        var wait = prefer.Wait;
        if (wait > TimeSpan.Zero)
        {
            http.Response.Headers["Preference-Applied"] = "wait=" + ((int)wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            job = await WaitForEndAsync(store, notifier, job, wait, time, cancellationToken).ConfigureAwait(false);
            if (job.IsTerminal)
            {
                return Json(JobView.From(job, breakers), StatusCodes.Status200OK);
            }
        }

        return Json(JobView.From(job, breakers), StatusCodes.Status202Accepted);
    }

    internal static async Task<IResult> GetAsync(string id, HttpContext http, JobStore store, ICircuitBreakerRegistry breakers)
    {
        return await OwnJobAsync(id, http, store).ConfigureAwait(false) is { } job
            ? Json(JobView.From(job, breakers), StatusCodes.Status200OK)
            : NotFound(id);
    }

    internal static async Task<IResult> ListAsync(HttpContext http, JobStore store, ICircuitBreakerRegistry breakers, string? kind, string? status, string? cursor, int? limit)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (kind is not null && !JobKinds.IsKnown(kind))
        {
            errors["kind"] = [$"Use one of {string.Join(", ", JobKinds.All)}."];
        }

        if (status is not null && !JobStatus.All.Contains(status, StringComparer.Ordinal))
        {
            errors["status"] = [$"Use one of {string.Join(", ", JobStatus.All)}."];
        }

        if (limit is < 1 or > 100)
        {
            errors["limit"] = ["Must be between 1 and 100."];
        }

        if (cursor is not null && !IsJobId(cursor))
        {
            errors["cursor"] = ["Not a cursor this API returned."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var client = (ApiClient)http.Items[typeof(ApiClient)]!;
        var page = await store.ListAsync(client.Id, kind, status, cursor, limit ?? 20).ConfigureAwait(false);
        return Json(new JobListView([.. page.Jobs.Select(j => JobView.From(j, breakers))], page.NextCursor), StatusCodes.Status200OK);
    }

    internal static async Task<IResult> CancelAsync(string id, HttpContext http, JobStore store, IEnumerable<IJobExecutor> executors, ICircuitBreakerRegistry breakers, JobTelemetry telemetry, TimeProvider time, ILoggerFactory loggers)
    {
        if (await OwnJobAsync(id, http, store).ConfigureAwait(false) is not { } job)
        {
            return NotFound(id);
        }

        var now = time.GetUtcNow();
        var after = await store.UpdateAsync(id, j => j with { Status = JobStatus.Canceled, CompletedAt = now, Waiting = null }).ConfigureAwait(false) ?? job;
        if (after.Status != JobStatus.Canceled)
        {
            return Problem(StatusCodes.Status409Conflict, "Job already finished", $"The job ended {after.Status}; only unfinished jobs can be canceled.");
        }

        if (!job.IsTerminal)
        {
            telemetry.Completed(after);
        }

        if (after.ProviderJobId is not null && executors.FirstOrDefault(e => e.Kind == after.Kind) is { } executor)
        {
            // Best effort, bounded: the worker also cancels when it sees the state, and a failure here changes nothing for the client.
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await executor.CancelAtProviderAsync(after, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AiServer.Providers.ProviderException or OperationCanceledException or HttpRequestException)
            {
                LogCancelAtProviderFailed(loggers.CreateLogger(typeof(JobsApi).FullName!), id, ex.GetType().Name);
            }
        }

        return Json(JobView.From(after, breakers), StatusCodes.Status200OK);
    }

    internal static async Task<IResult> EventsAsync(string id, HttpContext http, JobStore store, JobNotifier notifier, ICircuitBreakerRegistry breakers, CancellationToken cancellationToken)
    {
        var job = await OwnJobAsync(id, http, store).ConfigureAwait(false);

        if (job is null)
        {
            return NotFound(id);
        }

        var lastEventId = http.Request.Headers["Last-Event-ID"].ToString();
        if (lastEventId.Length > 0 && !IsStreamId(lastEventId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["Last-Event-ID"] = ["Not an event id this API sent."] });
        }

        return TypedResults.ServerSentEvents(Follow(id, lastEventId.Length == 0 ? null : lastEventId, store, notifier, breakers, cancellationToken));
    }

    internal static async Task<IResult> GetOutputAsync(string id, HttpContext http, JobStore store, JobOutputStore outputs)
    {
        var job = await OwnJobAsync(id, http, store).ConfigureAwait(false);

        if (job is null)
        {
            return NotFound(id);
        }

        if (job.Status != JobStatus.Succeeded || outputs.PathOf(job.Output?.StoredFile) is not { } path || !File.Exists(path))
        {
            return Problem(StatusCodes.Status404NotFound, "No output file", job.Status == JobStatus.Succeeded
                ? "This job's output is data only (see output.data), or its file has expired."
                : $"The job is {job.Status}; its output exists once it has succeeded.");
        }

        return TypedResults.PhysicalFile(path, job.Output!.ContentType ?? "application/octet-stream", fileDownloadName: null, enableRangeProcessing: true);
    }

    private static async IAsyncEnumerable<SseItem<string>> Follow(string id, string? after, JobStore store, JobNotifier notifier, ICircuitBreakerRegistry breakers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var position = after;
        while (!cancellationToken.IsCancellationRequested)
        {
            IReadOnlyList<JobEvent> events;
            try
            {
                events = await store.ReadEventsAsync(id, position).ConfigureAwait(false);
            }
            catch (RedisException)
            {
                events = [];
            }

            foreach (var change in events)
            {
                position = change.Id;
                yield return new SseItem<string>(JsonSerializer.Serialize(JobView.From(change.Job, breakers), JobJson.Options), "status") { EventId = change.Id };
                if (change.Job.IsTerminal)
                {
                    yield break;
                }
            }

            try
            {
                await notifier.WaitForJobAsync(id, TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    private static async Task<JobRecord> WaitForEndAsync(JobStore store, JobNotifier notifier, JobRecord job, TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        while (!job.IsTerminal)
        {
            var left = wait - time.GetElapsedTime(start);
            if (left <= TimeSpan.Zero)
            {
                break;
            }

            await notifier.WaitForJobAsync(job.Id, left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            job = await store.GetAsync(job.Id).ConfigureAwait(false) ?? job;
        }

        return job;
    }

    internal static async Task<JobRecord?> OwnJobAsync(string id, HttpContext http, JobStore store)
    {
        if (!IsJobId(id))
        {
            return null;
        }

        var client = (ApiClient)http.Items[typeof(ApiClient)]!;
        var job = await store.GetAsync(id).ConfigureAwait(false);
        return job is not null && job.Owner == client.Id ? job : null;
    }

    private static (TimeSpan Wait, string? Error) ParsePreferWait(HttpRequest request, TimeSpan max)
    {
        foreach (var preference in request.Headers["Prefer"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!preference.StartsWith("wait", StringComparison.OrdinalIgnoreCase))
            {
                continue; // other preferences are not ours to refuse
            }

            var value = preference.Split('=', 2) is [_, var v] ? v.Trim() : string.Empty;
            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return (TimeSpan.Zero, "Use wait=N with N whole seconds.");
            }

            return (TimeSpan.FromSeconds(Math.Min(seconds, max.TotalSeconds)), null);
        }

        return (TimeSpan.Zero, null);
    }

    private static async Task<(JsonObject? Body, IResult? Error)> ReadBodyAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return (null, TooLarge(maxBytes));
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            var node = JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), documentOptions: new JsonDocumentOptions { MaxDepth = 16 });
            return node is JsonObject body
                ? (body, null)
                : (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Must be a JSON object."] }));
        }
        catch (JsonException ex)
        {
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["Malformed JSON: " + ex.Message] }));
        }
    }

    /// <summary>Redis unreachable or too slow: 503 problem+json with <c>Retry-After</c>, never a 500 (nothing was accepted).</summary>
    internal static async ValueTask<object?> HandleRedisOutageAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            return Unavailable();
        }
    }

    internal static async ValueTask<object?> RequireApiKeyAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var registry = http.RequestServices.GetRequiredService<ApiKeyRegistry>();
        if (registry.Authenticate(http) is not { } client)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"aiserver\"";
            return Problem(StatusCodes.Status401Unauthorized, "API key required", registry.AnyConfigured
                ? "Send a valid API key as 'Authorization: Bearer <key>' or 'X-API-Key'."
                : "No API key is configured on this server (Auth:ApiKeys), so job routes are closed.");
        }

        http.Items[typeof(ApiClient)] = client;
        return await next(context).ConfigureAwait(false);
    }

    private static bool IsJobId(string id) => id.Length is > 4 and < 64 && id.StartsWith("job_", StringComparison.Ordinal) && id.AsSpan(4).ContainsAnyExcept("0123456789abcdef_") is false;

    private static bool IsStreamId(string id) => id.Length < 48 && id.Split('-') is [var ms, var seq] && ms.Length > 0 && seq.Length > 0 && ms.All(char.IsAsciiDigit) && seq.All(char.IsAsciiDigit);

    private static IResult Json<T>(T value, int status) => TypedResults.Json(value, JobJson.Options, statusCode: status);

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);

    private static ProblemHttpResult NotFound(string id) =>
        Problem(StatusCodes.Status404NotFound, "Job not found", $"No job '{id}' belongs to this API key.");

    private static ProblemHttpResult TooLarge(long maxBytes) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", $"A job request may be at most {maxBytes} bytes (Jobs:MaxRequestBytes).");

    internal static IResult Unavailable() => new RetryAfter(
        TypedResults.Problem(detail: "The job store (Redis) is unreachable; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Jobs unavailable"),
        Seconds: 1);

    /// <summary>A result with a <c>Retry-After</c> header.</summary>
    private sealed record RetryAfter(IResult Inner, int Seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = Seconds.ToString(CultureInfo.InvariantCulture);
            return Inner.ExecuteAsync(httpContext);
        }
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Job {JobId}: canceling at the provider failed ({Error}); the worker will try again when it sees the cancel.")]
    private static partial void LogCancelAtProviderFailed(ILogger logger, string jobId, string error);
}
