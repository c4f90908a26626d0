using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace AiServer.AppHost.Breakers;

/// <summary>Adds the fleet's circuit breakers to the dashboard, with Force open, Force close and Reset commands.</summary>
public static class CircuitBreakerResourceBuilderExtensions
{
    /// <summary>
    /// One <see cref="CircuitBreakerResource"/> per breaker (run mode only; nothing is published). Their state is read
    /// from the api's <c>GET /metrics/circuit-breakers</c> whenever the fleet's Redis channel announces a transition, and
    /// every few seconds besides; the commands call the same admin endpoints an operator would, with the admin token.
    /// </summary>
    public static IDistributedApplicationBuilder AddCircuitBreakers(
        this IDistributedApplicationBuilder builder,
        IEnumerable<string> breakerNames,
        IResourceBuilder<ProjectResource> api,
        IResourceBuilder<ParameterResource> adminToken,
        IResourceBuilder<IResourceWithConnectionString> redis)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(breakerNames);
        if (!builder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        var resources = new List<CircuitBreakerResource>();
        foreach (var breaker in breakerNames)
        {
            var resource = new CircuitBreakerResource($"breaker-{breaker}", breaker);
            resources.Add(resource);
            builder.AddResource(resource)
                .WithInitialState(new CustomResourceSnapshot
                {
                    ResourceType = CircuitBreakerResource.ResourceTypeName,
                    State = new ResourceStateSnapshot("Waiting for api", KnownResourceStateStyles.Info),
                    Properties = ImmutableArray.Create(new ResourcePropertySnapshot("breaker.name", breaker)),
                })
                .WithIconName("PlugConnected")
                .WithCommand("force-open", "Force open", context => CommandAsync(context, resource, BreakerAction.ForceOpen), new CommandOptions
                {
                    Description = $"Isolate {breaker} fleet-wide: every instance rejects its calls until Reset.",
                    ConfirmationMessage = $"Force the '{breaker}' circuit open in every instance?",
                    IconName = "PlugDisconnected",
                    IsHighlighted = true,
                })
                .WithCommand("force-close", "Force close", context => CommandAsync(context, resource, BreakerAction.ForceClose), new CommandOptions
                {
                    Description = $"Hold {breaker} closed fleet-wide, whatever fails, until Reset.",
                    ConfirmationMessage = $"Force the '{breaker}' circuit closed in every instance?",
                    IconName = "PlugConnected",
                })
                .WithCommand("reset", "Reset", context => CommandAsync(context, resource, BreakerAction.Reset), new CommandOptions
                {
                    Description = $"Release any forced state of {breaker} and start CLOSED with zero counts, fleet-wide.",
                    IconName = "ArrowReset",
                    IsHighlighted = true,
                });
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new CircuitBreakerMonitor(
            resources,
            api.Resource,
            adminToken.Resource,
            redis.Resource,
            builder.Configuration["Redis:KeyPrefix"] ?? "aiserver:",
            sp.GetRequiredService<ResourceNotificationService>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<CircuitBreakerMonitor>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CircuitBreakerMonitor>());
        return builder;
    }

    private static async Task<ExecuteCommandResult> CommandAsync(ExecuteCommandContext context, CircuitBreakerResource resource, BreakerAction action)
    {
        var monitor = context.Services.GetRequiredService<CircuitBreakerMonitor>();
        var error = await monitor.ExecuteAsync(resource, action, context.CancellationToken).ConfigureAwait(false);
        return error is null ? CommandResults.Success() : CommandResults.Failure(error);
    }
}
