using System.Globalization;
using System.Threading.RateLimiting;
using AiServer.Api.Apis;
using AiServer.ServiceDefaults.Validation;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace AiServer.Api.Auth;

/// <summary>API keys and their per-key rate limit (ASP.NET Core's rate limiter: a token bucket per key, 429 problem+json with <c>Retry-After</c>).</summary>
internal static class ApiKeyHostingExtensions
{
    public static IHostApplicationBuilder AddApiKeys(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<ApiKeyOptions>(ApiKeyOptions.SectionName);
        services.AddSingleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidator>();
        services.AddSingleton<ApiKeyRegistry>();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(JobsApi.RateLimitPolicy, http =>
            {
                var settings = http.RequestServices.GetRequiredService<IOptions<ApiKeyOptions>>().Value.RateLimit;
                // Partitioned by the key's hash (never the key itself); requests without a key share one bucket.
                var partition = ApiKeyRegistry.PresentedHash(http) is { } hash ? ApiKeyRegistry.IdOf(hash) : "anonymous";
                return RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = settings.Burst,
                    TokensPerPeriod = settings.PermitsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem(
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Rate limit exceeded",
                    detail: $"This API key sent more than its rate allows (Auth:RateLimit); retry after {retryAfter} s.").ExecuteAsync(context.HttpContext).ConfigureAwait(false);
            };
        });
        return builder;
    }
}
