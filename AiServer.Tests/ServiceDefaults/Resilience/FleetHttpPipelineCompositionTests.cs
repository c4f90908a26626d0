using AiServer.Providers;
using AiServer.ServiceDefaults;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;
using Polly.Retry;
using Polly.Testing;
using Polly.Timeout;

namespace AiServer.Tests.ServiceDefaults.Resilience;

/// <summary>
/// The pipelines as the api and the workers wire them (<c>AddServiceDefaults()</c> + <c>AddAiProviders()</c>), read back
/// with Polly.Testing: provider clients carry only the fleet pipeline, in the design's order with the configured values;
/// ordinary clients carry the standard resilience handler.
/// </summary>
public sealed class FleetHttpPipelineCompositionTests
{
    [Theory]
    [InlineData("replicate", "Providers:Replicate", "externalAPI", 2)]
    [InlineData("supabase", "Providers:Supabase", "database", 1)]
    [InlineData("file-download", "Providers:FileDownload", "externalAPI", 2)]
    public async Task ProviderClient_Pipeline_IsTotalTimeoutRetryFleetBreakerAttemptTimeoutWithTheConfiguredValues(string client, string section, string preset, int retries)
    {
        // Arrange
        await using var services = Services(new()
        {
            [section + ":AttemptTimeout"] = "00:00:07",
            [section + ":TotalRequestTimeout"] = "00:00:45",
        });

        // Act
        var descriptor = GetHttpPipeline(services, client + "-" + FleetHttpPipeline.Name).GetPipelineDescriptor();

        // Assert
        Assert.Collection(
            descriptor.Strategies,
            total =>
            {
                var options = Assert.IsType<TimeoutStrategyOptions>(total.Options);
                Assert.Equal(FleetHttpPipeline.TotalTimeoutName, options.Name);
                Assert.Equal(TimeSpan.FromSeconds(45), options.Timeout);
            },
            retry =>
            {
                var options = Assert.IsType<RetryStrategyOptions<HttpResponseMessage>>(retry.Options);
                Assert.Equal("retry-" + preset, options.Name);
                Assert.Equal(retries, options.MaxRetryAttempts);
            },
            breaker =>
            {
                Assert.IsType<FleetCircuitBreakerStrategyOptions>(breaker.Options);
                Assert.IsType<FleetCircuitBreakerStrategy<HttpResponseMessage>>(breaker.StrategyInstance);
            },
            attempt =>
            {
                var options = Assert.IsType<TimeoutStrategyOptions>(attempt.Options);
                Assert.Equal(FleetHttpPipeline.AttemptTimeoutName, options.Name);
                Assert.Equal(TimeSpan.FromSeconds(7), options.Timeout);
            });
    }

    [Theory]
    [InlineData("replicate")]
    [InlineData("elevenlabs")]
    [InlineData("file-download")]
    public async Task ProviderClient_Handlers_OnlyTheFleetResilienceHandler(string client)
    {
        // Arrange
        await using var services = Services([]);

        // Act
        var handlers = HandlerChain(services, client);

        // Assert: one resilience handler (the standard one was removed), ours: between the operation and attempt handlers.
        var index = Assert.Single(Enumerable.Range(0, handlers.Count), i => handlers[i] == typeof(ResilienceHandler));
        Assert.Equal(typeof(FleetOperationHandler), handlers[index - 1]);
        Assert.Equal(typeof(FleetAttemptHandler), handlers[index + 1]);
    }

    [Fact]
    public async Task OrdinaryClient_Handlers_TheStandardResilienceHandlerWithAspireDefaults()
    {
        // Arrange
        await using var services = Services([]);

        // Act
        var handlers = HandlerChain(services, "anything");
        // ConfigureHttpClientDefaults' builder has no client name: every ordinary client shares the pipeline "-standard".
        var descriptor = GetHttpPipeline(services, "-standard").GetPipelineDescriptor();

        // Assert
        Assert.Single(handlers, h => h == typeof(ResilienceHandler));
        Assert.DoesNotContain(typeof(FleetOperationHandler), handlers);
        Assert.DoesNotContain(typeof(FleetAttemptHandler), handlers);
        Assert.Collection(
            descriptor.Strategies,
            limiter => Assert.IsType<HttpRateLimiterStrategyOptions>(limiter.Options),
            total => Assert.Equal(TimeSpan.FromSeconds(30), Assert.IsType<HttpTimeoutStrategyOptions>(total.Options).Timeout),
            retry => Assert.Equal(3, Assert.IsType<HttpRetryStrategyOptions>(retry.Options).MaxRetryAttempts),
            breaker => Assert.IsType<HttpCircuitBreakerStrategyOptions>(breaker.Options),
            attempt => Assert.Equal(TimeSpan.FromSeconds(10), Assert.IsType<HttpTimeoutStrategyOptions>(attempt.Options).Timeout));
    }

    [Fact]
    public async Task ServiceDefaultsAndProviders_Registration_BreakersAndTheirHealthCheckOnce()
    {
        // Arrange + Act: the api's and the workers' Program.cs, no marker types in between.
        await using var services = Services([]);

        // Assert
        var checks = services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        Assert.Single(checks, c => c.Name == BreakerSyncHealthCheck.Name);
        Assert.Equal(checks.Count, checks.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.Same(services.GetRequiredService<CircuitBreakerRegistry>(), services.GetRequiredService<ICircuitBreakerRegistry>());
        Assert.Single(services.GetServices<ICircuitBreakerRegistry>());
        Assert.Single(services.GetServices<CircuitBreakerRegistry>());
    }

    /// <summary>
    /// The pipeline <c>AddResilienceHandler</c>/<c>AddStandardResilienceHandler</c> registered under
    /// <paramref name="pipelineName"/> (<c>{client}-{name}</c>). The package keys its registry by an internal
    /// <c>HttpKey(name, instance)</c>, so the key is made by reflection; the instance name is empty without
    /// <c>SelectPipelineBy</c>.
    /// </summary>
    private static ResiliencePipeline<HttpResponseMessage> GetHttpPipeline(IServiceProvider services, string pipelineName)
    {
        var keyType = typeof(ResilienceHandler).Assembly.GetTypes().Single(t => t.Name == "HttpKey");
        var providerType = typeof(ResiliencePipelineProvider<>).MakeGenericType(keyType);
        var provider = services.GetRequiredService(providerType);
        var key = Activator.CreateInstance(keyType, pipelineName, string.Empty);
        var getPipeline = providerType.GetMethods()
            .Single(m => m.Name == "GetPipeline" && m.IsGenericMethodDefinition && m.GetParameters().Length == 1)
            .MakeGenericMethod(typeof(HttpResponseMessage));
        return (ResiliencePipeline<HttpResponseMessage>)getPipeline.Invoke(provider, [key])!;
    }

    /// <summary>The delegating handlers of a named client, outermost first.</summary>
    private static List<Type> HandlerChain(IServiceProvider services, string client)
    {
        var handlers = new List<Type>();
        for (var handler = services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(client); handler is DelegatingHandler delegating; handler = delegating.InnerHandler)
        {
            handlers.Add(delegating.GetType());
        }

        return handlers;
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        settings["Logging:File:Enabled"] = "false";
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.AddAiProviders();
        return builder.Services.BuildServiceProvider();
    }
}
