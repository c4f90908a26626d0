using AiServer.Jobs;
using AiServer.Jobs.Store;
using AiServer.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiServer.Api.Apis;

/// <summary>
/// <c>GET /admin/jobs/dead-letters?kind=&amp;limit=</c> and <c>POST /admin/jobs/dead-letters/{kind}/{entryId}/requeue</c>
/// behind the admin token (absent when <c>Admin:Token</c> is not configured): jobs that failed after their last attempt,
/// and putting one back in the queue with fresh attempts.
/// </summary>
public static class DeadLettersApi
{
    public static IEndpointRouteBuilder MapDeadLettersApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (!AdminToken.IsConfigured(endpoints.ServiceProvider.GetRequiredService<IConfiguration>()))
        {
            return endpoints;
        }

        var admin = endpoints.MapGroup("/admin/jobs/dead-letters")
            .WithTags("Admin")
            .AddEndpointFilter(static async (context, next) => AdminToken.Check(context.HttpContext) ?? await next(context).ConfigureAwait(false))
            .AddEndpointFilter(JobsApi.HandleRedisOutageAsync)
            .DisableAntiforgery();
        admin.MapGet("/", ListAsync)
            .WithName("ListDeadLetters")
            .WithSummary("Dead letters of every kind (or ?kind=), newest first (?limit=1..1000, default 100).");
        admin.MapPost("/{kind}/{entryId}/requeue", RequeueAsync)
            .WithName("RequeueDeadLetter")
            .WithSummary("Queues a dead-lettered job again with fresh attempts and removes the dead letter.");
        return endpoints;
    }

    internal static async Task<IResult> ListAsync(JobQueue queue, string? kind, int? limit)
    {
        if ((kind is not null && !JobKinds.IsKnown(kind)) || limit is < 1 or > 1000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [kind is not null && !JobKinds.IsKnown(kind) ? "kind" : "limit"] = [kind is not null && !JobKinds.IsKnown(kind) ? $"Use one of {string.Join(", ", JobKinds.All)}." : "Must be between 1 and 1000."],
            });
        }

        var letters = new List<DeadLetter>();
        foreach (var k in kind is null ? JobKinds.All : [kind])
        {
            letters.AddRange(await queue.ListDeadLettersAsync(k, limit ?? 100).ConfigureAwait(false));
        }

        return TypedResults.Ok(letters.OrderByDescending(l => l.FailedAt).Take(limit ?? 100).ToArray());
    }

    internal static async Task<IResult> RequeueAsync(string kind, string entryId, JobQueue queue, JobStore store, JobNotifier notifier, TimeProvider time)
    {
        if (!JobKinds.IsKnown(kind))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown job kind", detail: $"'{kind}' is not a job kind.");
        }

        if (await queue.GetDeadLetterAsync(kind, entryId).ConfigureAwait(false) is not { } letter)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such dead letter", detail: $"No dead letter '{entryId}' of {kind} jobs.");
        }

        var job = await store.UpdateAsync(
            letter.JobId,
            j => j.Status == JobStatus.Failed ? j with { Status = JobStatus.Queued, Attempts = 0, Error = null, CompletedAt = null, StartedAt = null, ProviderJobId = null, SubmittingAt = null, Output = null } : null,
            (transaction, _) =>
            {
                queue.RemoveDeadLetter(transaction, kind, entryId);
                queue.Enqueue(transaction, kind, letter.JobId);
            },
            reopen: true).ConfigureAwait(false);
        if (job is null || job.Status != JobStatus.Queued)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not requeueable", detail: job is null ? "The job record has expired." : $"The job is {job.Status}, not failed.");
        }

        notifier.SignalWork(kind);
        return TypedResults.Ok(new { job = job.Id, status = job.Status, requeuedAt = time.GetUtcNow() });
    }
}
