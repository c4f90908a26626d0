using AiServer.Api.Auth;
using AiServer.Jobs.Store;
using AiServer.Jobs.Webhooks;
using StackExchange.Redis;

namespace AiServer.Api.Apis;

/// <summary>
/// Client webhooks: the delivery log of a job (<c>GET /v1/jobs/{id}/deliveries</c>), manual redelivery, and the API
/// key's signing secret (<c>GET /v1/webhooks/secret</c>, <c>POST /v1/webhooks/secret/rotate</c>). Same API key rules as
/// the job routes: another key's job is 404.
/// </summary>
public static class ClientWebhooksApi
{
    public static IEndpointRouteBuilder MapClientWebhooksApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var v1 = endpoints.MapGroup("/v1")
            .WithTags("Webhooks")
            .AddEndpointFilter(JobsApi.RequireApiKeyAsync)
            .AddEndpointFilter(JobsApi.HandleRedisOutageAsync)
            .RequireRateLimiting(JobsApi.RateLimitPolicy)
            .DisableAntiforgery();
        v1.MapGet("/jobs/{id}/deliveries", ListAsync)
            .WithName("JobWebhookDeliveries")
            .WithSummary("The job's webhook deliveries with every attempt.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        v1.MapPost("/jobs/{id}/deliveries/{deliveryId}/redeliver", RedeliverAsync)
            .WithName("RedeliverJobWebhook")
            .WithSummary("Queues a delivery again with fresh attempts.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        v1.MapGet("/webhooks/secret", GetSecretAsync)
            .WithName("GetWebhookSecret")
            .WithSummary("This API key's Standard Webhooks signing secret (created on first use).");
        v1.MapPost("/webhooks/secret/rotate", RotateSecretAsync)
            .WithName("RotateWebhookSecret")
            .WithSummary("A new signing secret; the previous one signs too for Webhooks:SecretGracePeriod.");
        return endpoints;
    }

    internal static async Task<IResult> ListAsync(string id, HttpContext http, JobStore store, ClientWebhookLog log)
    {
        try
        {
            if (await JobsApi.OwnJobAsync(id, http, store).ConfigureAwait(false) is null)
            {
                return NotFound(id);
            }

            return TypedResults.Json(new { deliveries = await log.ListAsync(id).ConfigureAwait(false) }, AiServer.Jobs.JobJson.Options);
        }
        catch (RedisException)
        {
            return JobsApi.Unavailable();
        }
    }

    internal static async Task<IResult> RedeliverAsync(string id, string deliveryId, HttpContext http, JobStore store, ClientWebhookLog log)
    {
        try
        {
            if (await JobsApi.OwnJobAsync(id, http, store).ConfigureAwait(false) is null)
            {
                return NotFound(id);
            }

            return await log.RedeliverAsync(id, deliveryId).ConfigureAwait(false)
                ? TypedResults.Accepted((string?)null, new { id = deliveryId, state = ClientWebhookDelivery.Pending })
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Delivery not found", detail: $"Job '{id}' has no delivery '{deliveryId}'.");
        }
        catch (RedisException)
        {
            return JobsApi.Unavailable();
        }
    }

    internal static async Task<IResult> GetSecretAsync(HttpContext http, ClientWebhookSecrets secrets)
    {
        try
        {
            return TypedResults.Ok(new { secret = await secrets.GetOrCreateAsync(((ApiClient)http.Items[typeof(ApiClient)]!).Id).ConfigureAwait(false) });
        }
        catch (RedisException)
        {
            return JobsApi.Unavailable();
        }
    }

    internal static async Task<IResult> RotateSecretAsync(HttpContext http, ClientWebhookSecrets secrets)
    {
        try
        {
            return TypedResults.Ok(new { secret = await secrets.RotateAsync(((ApiClient)http.Items[typeof(ApiClient)]!).Id).ConfigureAwait(false) });
        }
        catch (RedisException)
        {
            return JobsApi.Unavailable();
        }
    }

    private static IResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Job not found", detail: $"No job '{id}' belongs to this API key.");
}
