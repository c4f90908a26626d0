using AiServer.Jobs.Webhooks;
using StackExchange.Redis;

namespace AiServer.Api.Apis;

/// <summary>
/// <c>POST /webhooks/{provider}?job={id}</c> (replicate, synclabs, bfl): provider completions, verified against the
/// provider's signature over the raw body (no API key: the signature is the authentication). 200 accepted or ignored
/// (duplicate, stale, finished job), 401 unverified, 404 unknown or foreign job, 413 over 1 MiB.
/// </summary>
public static class ProviderWebhooksApi
{
    private const int MaxBody = 1024 * 1024;

    public static IEndpointRouteBuilder MapProviderWebhooksApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost("/webhooks/{provider}", ReceiveAsync)
            .AddEndpointFilter(JobsApi.HandleRedisOutageAsync)
            .WithTags("Webhooks")
            .WithName("ProviderWebhook")
            .WithSummary("A provider's signed webhook for one of our jobs (replicate, synclabs, bfl).")
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .DisableAntiforgery();
        return endpoints;
    }

    internal static async Task<IResult> ReceiveAsync(string provider, string? job, HttpContext http, ProviderWebhookReceiver receiver, CancellationToken cancellationToken)
    {
        if (!ProviderWebhookReceiver.Providers.Contains(provider, StringComparer.Ordinal))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown provider", detail: $"No webhooks are taken from '{provider}'.");
        }

        if (http.Request.ContentLength > MaxBody)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Webhook too large", detail: $"At most {MaxBody} bytes.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBody)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Webhook too large", detail: $"At most {MaxBody} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        InboundWebhookOutcome outcome;
        try
        {
            var headers = http.Request.Headers;
            outcome = await receiver.ReceiveAsync(provider, job, name => headers.TryGetValue(name, out var v) ? v.ToString() : null, buffer.ToArray()).ConfigureAwait(false);
        }
        catch (RedisException)
        {
            // The provider retries a 5xx: nothing is lost.
            return JobsApi.Unavailable();
        }

        return outcome switch
        {
            InboundWebhookOutcome.Accepted => TypedResults.Ok(new { status = "accepted" }),
            InboundWebhookOutcome.Ignored => TypedResults.Ok(new { status = "ignored" }),
            InboundWebhookOutcome.UnknownJob => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown job", detail: "No job of this provider matches the webhook."),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Webhook not verified", detail: "The signature is missing or wrong, or the timestamp is outside the replay window."),
        };
    }
}
