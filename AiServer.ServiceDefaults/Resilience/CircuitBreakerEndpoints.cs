using AiServer.ServiceDefaults.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// <c>GET /metrics/circuit-breakers</c> (fleet view plus this instance's counters, every service) and the api's
/// <c>POST /admin/circuit-breakers/{name}/force-open|force-close|reset</c> behind the <c>Admin:Token</c> bearer token.
/// </summary>
public static class CircuitBreakerEndpoints
{
    /// <summary>Maps <c>GET /metrics/circuit-breakers</c> (called from <c>MapDefaultEndpoints()</c>, so every service has it).</summary>
    /// <param name="endpoints">The route builder.</param>
    public static IEndpointRouteBuilder MapCircuitBreakerEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/metrics/circuit-breakers", GetCircuitBreakers)
            .GetOrHead()
            .WithName("GetCircuitBreakers")
            .WithSummary("Fleet state of every circuit breaker plus this instance's counters.");
        return endpoints;
    }

    /// <summary>
    /// Maps <c>POST /admin/circuit-breakers/{name}/force-open|force-close|reset</c> behind the admin token, only when
    /// <c>Admin:Token</c> is configured. The api maps them; the workers do not (one admin surface for the fleet: the
    /// actions are fleet-wide anyway).
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    public static IEndpointRouteBuilder MapCircuitBreakerAdminApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var configuration = endpoints.ServiceProvider.GetRequiredService<IConfiguration>();
        if (!AdminToken.IsConfigured(configuration))
        {
            return endpoints; // no token configured: the admin endpoints do not exist
        }

        var admin = endpoints.MapGroup("/admin/circuit-breakers")
            .AddEndpointFilter(RequireAdminTokenAsync)
            .DisableAntiforgery();
        admin.MapPost("/{name}/force-open", ForceOpenAsync)
            .WithName("ForceOpenCircuitBreaker")
            .WithSummary("Isolates a provider fleet-wide until reset.");
        admin.MapPost("/{name}/force-close", ForceCloseAsync)
            .WithName("ForceCloseCircuitBreaker")
            .WithSummary("Holds a circuit closed fleet-wide until reset.");
        admin.MapPost("/{name}/reset", ResetAsync)
            .WithName("ResetCircuitBreaker")
            .WithSummary("Releases any override and closes the circuit fleet-wide.");
        endpoints.MapGet("/admin/audit", GetAuditAsync)
            .AddEndpointFilter(RequireAdminTokenAsync)
            .GetOrHead()
            .WithName("GetBreakerAudit")
            .WithSummary("The fleet-wide audit trail of manual breaker actions, newest first (?limit=1..1000, default 100).");
        return endpoints;
    }

    internal static Ok<CircuitBreakersView> GetCircuitBreakers(ICircuitBreakerRegistry registry, IServiceProvider services, TimeProvider timeProvider)
    {
        var sync = services.GetService<FleetSyncService>();
        return TypedResults.Ok(new CircuitBreakersView
        {
            Instance = (registry as CircuitBreakerRegistry)?.InstanceId ?? "unknown",
            Timestamp = timeProvider.GetUtcNow(),
            Sync = sync is null ? "local" : sync.IsConnected ? "fleet" : sync.InitialLoadCompleted ? "local-fallback" : "loading",
            SyncLagSeconds = sync?.SyncLagSeconds,
            Breakers = [.. registry.All.Select(b => CircuitBreakerView.From(b.GetStats()))],
        });
    }

    internal static Task<Results<Ok<CircuitBreakerView>, ProblemHttpResult>> ForceOpenAsync(string name, string? reason, ICircuitBreakerRegistry registry, HttpContext http, CancellationToken cancellationToken)
    {
        reason ??= "forced open by an operator";
        return ApplyAsync(name, registry, http, "force-open", reason, b => b.ForceOpenAsync(reason, cancellationToken));
    }

    internal static Task<Results<Ok<CircuitBreakerView>, ProblemHttpResult>> ForceCloseAsync(string name, string? reason, ICircuitBreakerRegistry registry, HttpContext http, CancellationToken cancellationToken)
    {
        reason ??= "forced closed by an operator";
        return ApplyAsync(name, registry, http, "force-close", reason, b => b.ForceCloseAsync(reason, cancellationToken));
    }

    internal static Task<Results<Ok<CircuitBreakerView>, ProblemHttpResult>> ResetAsync(string name, ICircuitBreakerRegistry registry, HttpContext http, CancellationToken cancellationToken) =>
        ApplyAsync(name, registry, http, "reset", string.Empty, b => b.ResetAsync(cancellationToken));

    internal static async Task<Results<Ok<BreakerAuditView>, ValidationProblem, NotFound>> GetAuditAsync(IServiceProvider services, int? limit)
    {
        if (limit is < 1 or > 1000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit must be between 1 and 1000."] });
        }

        if (services.GetService<BreakerAuditTrail>() is not { } audit)
        {
            return TypedResults.NotFound(); // AddServiceDefaults() registers the trail; a bare breaker setup has none
        }

        var (source, entries) = await audit.ReadAsync(limit ?? 100).ConfigureAwait(false);
        return TypedResults.Ok(new BreakerAuditView(source, entries));
    }

    private static async Task<Results<Ok<CircuitBreakerView>, ProblemHttpResult>> ApplyAsync(
        string name, ICircuitBreakerRegistry registry, HttpContext http, string verb, string reason, Func<ICircuitBreaker, Task> action)
    {
        if (!registry.TryGet(name, out var breaker))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Unknown circuit breaker",
                detail: $"There is no circuit breaker named '{name}'. Known: {string.Join(", ", registry.All.Select(b => b.Name))}.");
        }

        await action(breaker).ConfigureAwait(false);
        if (http.RequestServices.GetService<BreakerAuditTrail>() is { } audit)
        {
            // Who: the holder of the admin token, seen from this address (the token names no person).
            var actor = "admin-token@" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            await audit.RecordAsync(verb, breaker.Name, reason, (registry as CircuitBreakerRegistry)?.InstanceId ?? "unknown", actor).ConfigureAwait(false);
        }

        return TypedResults.Ok(CircuitBreakerView.From(breaker.GetStats()));
    }

    private static async ValueTask<object?> RequireAdminTokenAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        AdminToken.Check(context.HttpContext) ?? await next(context).ConfigureAwait(false);
}
