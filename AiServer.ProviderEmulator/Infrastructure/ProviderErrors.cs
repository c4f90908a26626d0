using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace AiServer.ProviderEmulator.Infrastructure;

/// <summary>Each provider's own error bodies and rate-limit headers (docs/emulator.md lists them), shared by auth, faults and handlers.</summary>
internal static class ProviderErrors
{
    /// <summary>The provider's answer to a missing (<paramref name="missing"/>) or wrong key.</summary>
    public static IResult Unauthorized(string provider, bool missing) => provider switch
    {
        ProviderIds.Replicate => Replicate(
            StatusCodes.Status401Unauthorized,
            missing ? "You did not pass an authentication token" : "You did not pass a valid authentication token",
            "Unauthenticated"),
        ProviderIds.ElevenLabs => ElevenLabs(StatusCodes.Status401Unauthorized, "invalid_api_key", "Invalid API key"),
        ProviderIds.SyncLabs => Sync(StatusCodes.Status401Unauthorized, "unauthorized", missing ? "API key is required" : "Invalid API key"),
        ProviderIds.HuggingFace => HuggingFace(StatusCodes.Status401Unauthorized, "Invalid credentials in Authorization header"),
        // BFL is FastAPI behind an APIKeyHeader: no header is FastAPI's 403, a bad key its own 401.
        ProviderIds.Bfl => missing
            ? Bfl(StatusCodes.Status403Forbidden, "Not authenticated")
            : Bfl(StatusCodes.Status401Unauthorized, "Invalid API key"),
        ProviderIds.Supabase => missing
            ? ProviderJson.Json(new JsonObject { ["message"] = "No API key found in request", ["hint"] = "No `apikey` request header or url param was found." }, StatusCodes.Status401Unauthorized)
            : ProviderJson.Json(new JsonObject { ["message"] = "Invalid API key", ["hint"] = "Double check your Supabase `anon` or `service_role` API key." }, StatusCodes.Status401Unauthorized),
        _ => TypedResults.Text("Unauthorized", "text/plain", statusCode: StatusCodes.Status401Unauthorized),
    };

    /// <summary>A generic error with the given status in the provider's format (server errors, injected faults).</summary>
    public static IResult Status(string provider, int status)
    {
        var reason = ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";
        return provider switch
        {
            ProviderIds.Replicate => Replicate(status, status == StatusCodes.Status404NotFound ? "The requested resource could not be found." : reason, status == StatusCodes.Status404NotFound ? null : reason),
            ProviderIds.ElevenLabs => ElevenLabs(status, status == StatusCodes.Status503ServiceUnavailable ? "system_busy" : "internal_server_error", reason),
            ProviderIds.SyncLabs => Sync(status, status >= 500 ? "internal_server_error" : "request_failed", reason),
            ProviderIds.HuggingFace => HuggingFace(status, reason),
            ProviderIds.Bfl => Bfl(status, reason),
            ProviderIds.Supabase => Postgrest(status, status == StatusCodes.Status503ServiceUnavailable ? "PGRST001" : $"PT{status}", reason),
            _ => TypedResults.Text(reason, "text/plain", statusCode: status),
        };
    }

    /// <summary>The provider's 429 with its rate-limit headers; <c>Retry-After</c> only when <paramref name="retryAfter"/> is set.</summary>
    public static IResult RateLimited(string provider, HttpResponse response, TimeSpan? retryAfter)
    {
        var seconds = retryAfter is { } r ? (int)Math.Ceiling(r.TotalSeconds) : 30;
        var text = seconds.ToString(CultureInfo.InvariantCulture);
        if (retryAfter is not null)
        {
            response.Headers.RetryAfter = text;
        }

        const int status = StatusCodes.Status429TooManyRequests;
        switch (provider)
        {
            case ProviderIds.Replicate:
                response.Headers["ratelimit-remaining"] = "0";
                response.Headers["ratelimit-reset"] = text;
                return ProviderJson.Json(
                    new JsonObject { ["detail"] = $"Request was throttled. Your rate limit resets in ~{seconds}s.", ["status"] = status },
                    status,
                    ProviderJson.ProblemJson);
            case ProviderIds.ElevenLabs:
                response.Headers["current-concurrent-requests"] = "10";
                response.Headers["maximum-concurrent-requests"] = "10";
                return ElevenLabs(status, "too_many_concurrent_requests", "Too many concurrent requests. Your current subscription allows a limited number of concurrent requests.");
            case ProviderIds.SyncLabs:
                return ProviderJson.Json(
                    new JsonObject { ["statusCode"] = status, ["errorCode"] = "rate_limit_exceeded", ["message"] = "Rate limit exceeded. Please try again later.", ["error"] = "Too Many Requests" },
                    status);
            case ProviderIds.HuggingFace:
                response.Headers["RateLimit"] = $"\"api\";r=0;t={text}";
                response.Headers["RateLimit-Policy"] = "\"fixed window\";\"api\";q=1000;w=300";
                return HuggingFace(status, "You have exceeded our hourly quotas for action: api. We invite you to retry later.");
            case ProviderIds.Bfl:
                response.Headers["X-RateLimit-Limit"] = "24";
                response.Headers["X-RateLimit-Remaining"] = "0";
                response.Headers["X-RateLimit-Reset"] = text;
                return ProviderJson.Json(
                    new JsonObject { ["error"] = "rate_limit_exceeded", ["message"] = "Too many concurrent requests", ["retry_after"] = seconds },
                    status);
            case ProviderIds.Supabase:
                // The platform gateway (Kong) throttles, not PostgREST.
                return ProviderJson.Json(new JsonObject { ["message"] = "API rate limit exceeded" }, status);
            default:
                return TypedResults.Text("Too Many Requests", "text/plain", statusCode: status);
        }
    }

    public static IResult Replicate(int status, string detail, string? title = null)
    {
        var body = new JsonObject();
        if (title is not null)
        {
            body["title"] = title;
        }

        body["detail"] = detail;
        body["status"] = status;
        return ProviderJson.Json(body, status, ProviderJson.ProblemJson);
    }

    public static IResult ElevenLabs(int status, string code, string message) =>
        ProviderJson.Json(new JsonObject { ["detail"] = new JsonObject { ["status"] = code, ["message"] = message } }, status);

    /// <summary>FastAPI validation error (ElevenLabs and BFL): <c>{"detail":[{"loc":[...],"msg":...,"type":...}]}</c>.</summary>
    public static IResult FastApiValidation(string[] location, string message, string type = "missing") =>
        ProviderJson.Json(
            new JsonObject
            {
                ["detail"] = new JsonArray(new JsonObject
                {
                    ["loc"] = new JsonArray([.. location.Select(l => (JsonNode)JsonValue.Create(l))]),
                    ["msg"] = message,
                    ["type"] = type,
                }),
            },
            StatusCodes.Status422UnprocessableEntity);

    public static IResult Sync(int status, string errorCode, string message)
    {
        var reason = ReasonPhrases.GetReasonPhrase(status);
        return ProviderJson.Json(
            new JsonObject { ["statusCode"] = status, ["errorCode"] = errorCode, ["message"] = message, ["error"] = reason },
            status);
    }

    public static IResult HuggingFace(int status, string error) =>
        ProviderJson.Json(new JsonObject { ["error"] = error }, status);

    public static IResult Bfl(int status, string detail) =>
        ProviderJson.Json(new JsonObject { ["detail"] = detail }, status);

    public static IResult Postgrest(int status, string code, string message, string? details = null, string? hint = null) =>
        ProviderJson.Json(new JsonObject { ["code"] = code, ["details"] = details, ["hint"] = hint, ["message"] = message }, status);
}
