using AiServer.Jobs.Outbox;
using AiServer.Jobs.Store;
using AiServer.Providers;
using AiServer.ServiceDefaults.Security;
using StackExchange.Redis;

namespace AiServer.Api.Apis;

/// <summary>
/// <c>GET /admin/jobs/outbox</c> (length and oldest entry) and <c>POST /admin/jobs/outbox/reconcile?repair=true</c>
/// (compare Redis with Supabase; with repair, queue drifted jobs again), behind the admin token.
/// </summary>
public static class OutboxApi
{
    public static IEndpointRouteBuilder MapOutboxApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (!AdminToken.IsConfigured(endpoints.ServiceProvider.GetRequiredService<IConfiguration>()))
        {
            return endpoints;
        }

        var admin = endpoints.MapGroup("/admin/jobs/outbox")
            .WithTags("Admin")
            .AddEndpointFilter(static async (context, next) => AdminToken.Check(context.HttpContext) ?? await next(context).ConfigureAwait(false))
            .AddEndpointFilter(JobsApi.HandleRedisOutageAsync)
            .DisableAntiforgery();
        admin.MapGet("/", StatusAsync).WithName("OutboxStatus").WithSummary("Job changes waiting for Supabase, and the oldest one's id.");
        admin.MapPost("/reconcile", ReconcileAsync).WithName("ReconcileOutbox").WithSummary("Compares Redis and Supabase (?repair=true queues drifted jobs again).");
        return endpoints;
    }

    internal static async Task<IResult> StatusAsync(IConnectionMultiplexer redis, JobKeys keys)
    {
        try
        {
            var db = redis.GetDatabase();
            var oldest = await db.StreamRangeAsync(keys.Outbox, "-", "+", 1).ConfigureAwait(false);
            return TypedResults.Ok(new { length = await db.StreamLengthAsync(keys.Outbox).ConfigureAwait(false), oldest = oldest.Length == 0 ? null : oldest[0].Id.ToString() });
        }
        catch (RedisException)
        {
            return JobsApi.Unavailable();
        }
    }

    internal static async Task<IResult> ReconcileAsync(OutboxReconciler reconciler, bool? repair, CancellationToken cancellationToken)
    {
        try
        {
            return TypedResults.Json(await reconciler.RunAsync(repair ?? false, cancellationToken).ConfigureAwait(false), AiServer.Jobs.JobJson.Options);
        }
        catch (RedisException)
        {
            return JobsApi.Unavailable();
        }
        catch (ProviderException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Supabase unavailable", detail: "Supabase did not answer the comparison (" + ex.GetType().Name + "); try again later.");
        }
    }
}
