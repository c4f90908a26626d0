using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace AiServer.Tests.ServiceDefaults.Resilience;

/// <summary>One AiServer instance as far as the breakers go: its own host, Redis connections and fleet sync.</summary>
internal sealed class FleetNode : IAsyncDisposable
{
    private readonly IHost _host;

    private FleetNode(IHost host, string id)
    {
        _host = host;
        Id = id;
    }

    public string Id { get; }

    public CircuitBreakerRegistry Registry => _host.Services.GetRequiredService<CircuitBreakerRegistry>();

    public FleetSyncService Sync => _host.Services.GetRequiredService<FleetSyncService>();

    public FleetCircuitBreaker Breaker(string name) => Registry.GetFleet(name);

    public static async Task<FleetNode> StartAsync(string connectionString, string prefix, string id, IReadOnlyDictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = connectionString,
            ["Redis:KeyPrefix"] = prefix,
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.name=test,service.instance.id={id}",
            ["CircuitBreakerSync:ResyncInterval"] = "00:00:00.200",
            ["CircuitBreakerSync:OperationTimeout"] = "00:00:01",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddFleetCircuitBreakers();
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        return new FleetNode(host, id);
    }

    public async Task<HealthStatus> HealthAsync()
    {
        var report = await _host.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(r => r.Name == BreakerSyncHealthCheck.Name, TestContext.Current.CancellationToken);
        return report.Entries[BreakerSyncHealthCheck.Name].Status;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _host.StopAsync(stop.Token);
        _host.Dispose();
    }
}
