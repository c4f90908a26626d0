using System.Net;
using System.Xml.Linq;
using AiServer.ServiceDefaults;
using AiServer.ServiceDefaults.Hosting;
using AiServer.Tests.Infrastructure;
using AiServer.Tests.Operations.Keda;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AiServer.Tests.Operations;

/// <summary>
/// deploy/k8s, loaded with KubernetesClient's strict YAML loader into typed objects (KEDA's ScaledObject registered as
/// our own type), and cross-checked against the services: the probe paths they map, the port their images expose, the
/// drain window of <see cref="ShutdownOptions"/>, the job streams and consumer group the workers read.
/// </summary>
public sealed class KubernetesManifestTests
{
    /// <summary>Each worker pool and the job kinds it runs.</summary>
    private static readonly Dictionary<string, string[]> Pools = new(StringComparer.Ordinal)
    {
        ["training-worker"] = ["model-training"],
        ["speech-worker"] = ["speech", "voice-clone"],
        ["lipsync-worker"] = ["lip-sync", "image-caption", "image-generation"],
    };

    private static readonly string[] AllKinds = ["model-training", "image-generation", "speech", "voice-clone", "lip-sync", "image-caption"];

    private static string ManifestDirectory => Path.Combine(SolutionPaths.Root, "deploy", "k8s");

    [Fact]
    public void Manifests_StrictTypedLoad_KustomizationListsEveryFileAndEachDeploymentHasItsCompanions()
    {
        // Arrange + Act
        var objects = LoadAll();
        var kustomization = File.ReadAllLines(Path.Combine(ManifestDirectory, "kustomization.yaml"));
        var listed = kustomization.SkipWhile(l => l != "resources:").Skip(1).TakeWhile(l => l.StartsWith("  - ", StringComparison.Ordinal)).Select(l => l[4..].Trim()).ToHashSet(StringComparer.Ordinal);

        // Assert
        Assert.Equal(Directory.GetFiles(ManifestDirectory, "*.yaml").Select(f => Path.GetFileName(f)).Where(f => f != "kustomization.yaml").ToHashSet(StringComparer.Ordinal), listed);
        var deployments = objects.OfType<V1Deployment>().ToList();
        Assert.Equal(new[] { "api", "lipsync-worker", "speech-worker", "training-worker" }, deployments.Select(d => d.Metadata.Name).Order(StringComparer.Ordinal));
        foreach (var deployment in deployments)
        {
            var name = deployment.Metadata.Name;
            var podLabels = deployment.Spec.Template.Metadata.Labels;
            Assert.All(deployment.Spec.Selector.MatchLabels, l => Assert.Equal(l.Value, podLabels[l.Key]));
            var pdb = Assert.Single(objects.OfType<V1PodDisruptionBudget>(), p => p.Metadata.Name == name);
            Assert.All(pdb.Spec.Selector.MatchLabels, l => Assert.Equal(l.Value, podLabels[l.Key]));
            Assert.True(pdb.Spec.MaxUnavailable is not null || pdb.Spec.MinAvailable is not null, $"the PodDisruptionBudget of {name} limits nothing");
        }

        var hpa = Assert.Single(objects.OfType<V2HorizontalPodAutoscaler>());
        Assert.Equal(("Deployment", "api"), (hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name));
        Assert.True(hpa.Spec.MinReplicas >= 2, "the api keeps at least 2 replicas, as the AppHost runs it");
        Assert.Null(Assert.Single(deployments, d => d.Metadata.Name == "api").Spec.Replicas); // the HPA owns the count
        var service = Assert.Single(objects.OfType<V1Service>());
        Assert.Equal("http", service.Spec.Ports.Single().TargetPort.Value);
    }

    [Fact]
    public async Task Deployments_ProbesPortsAndShutdown_MatchWhatTheServicesDo()
    {
        // Arrange: the paths the services map, from a real app with the service defaults; the port their images expose.
        await using var app = await TestWebApp.StartAsync(b => b.AddServiceDefaults(), a => a.MapDefaultEndpoints());
        var mapped = app.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/')).ToHashSet(StringComparer.Ordinal);
        var imagePorts = new[] { "AiServer.Api", "AiServer.Workers" }.Select(ContainerPort).Distinct().ToList();
        var defaults = new ShutdownOptions();

        // Act
        var deployments = LoadAll().OfType<V1Deployment>().ToList();

        // Assert
        var port = Assert.Single(imagePorts);
        Assert.Equal(8080, port.Port);
        Assert.Equal("8080", port.HttpPortsVariable);
        foreach (var deployment in deployments)
        {
            var name = deployment.Metadata.Name;
            var spec = deployment.Spec.Template.Spec;
            var container = Assert.Single(spec.Containers);
            Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
            Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
            var containerPort = Assert.Single(container.Ports);
            Assert.Equal(("http", port.Port), (containerPort.Name, containerPort.ContainerPort));
            Assert.Equal(port.HttpPortsVariable, Env(container, "ASPNETCORE_HTTP_PORTS"));

            foreach (var (kind, probe, path) in new[] { ("startup", container.StartupProbe, "/health/live"), ("readiness", container.ReadinessProbe, "/health/ready"), ("liveness", container.LivenessProbe, "/health/live") })
            {
                Assert.True(probe?.HttpGet is not null, $"{name} has no HTTP {kind} probe");
                Assert.Equal(path, probe!.HttpGet.Path);
                Assert.Equal("http", probe.HttpGet.Port.Value);
                Assert.True(mapped.Contains(path), $"{name}'s {kind} probe GETs {path}, which the services do not map ({string.Join(", ", mapped)})");
                using var response = await app.Client.GetAsync(path, TestContext.Current.CancellationToken);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode} on a healthy service");
            }

            var preStop = container.Lifecycle?.PreStop?.Sleep?.Seconds ?? 0;
            Assert.True(preStop > 0, $"{name} has no preStop pause");
            var readinessDelay = Duration(container, "Shutdown__ReadinessDelay") ?? defaults.ReadinessDelay;
            var drain = Duration(container, "Shutdown__DrainTimeout") ?? defaults.DrainTimeout;
            var needed = TimeSpan.FromSeconds(preStop) + readinessDelay + drain;
            Assert.True(spec.TerminationGracePeriodSeconds > needed.TotalSeconds,
                $"{name}: terminationGracePeriodSeconds {spec.TerminationGracePeriodSeconds} must exceed preStop {preStop} s + readiness delay {readinessDelay} + drain {drain}");

            var requests = container.Resources.Requests;
            Assert.True(requests.ContainsKey("cpu") && requests.ContainsKey("memory"), $"{name} requests no cpu or memory");
            var redis = Assert.Single(container.Env, e => e.Name == "ConnectionStrings__redis");
            Assert.Equal(("aiserver-redis", "connection-string"), (redis.ValueFrom?.SecretKeyRef?.Name, redis.ValueFrom?.SecretKeyRef?.Key));
        }

        var secret = Assert.Single(LoadAll().OfType<V1Secret>(), s => s.Metadata.Name == "aiserver-redis");
        Assert.True(secret.StringData.ContainsKey("connection-string"), "the example secret should carry the connection string");
    }

    [Fact]
    public void WorkerPools_KindsAndKedaTriggers_EveryKindOnceOnItsStreamAndConsumerGroup()
    {
        // Arrange + Act
        var objects = LoadAll();

        // Assert
        Assert.Equal(AllKinds.Order(StringComparer.Ordinal), Pools.Values.SelectMany(k => k).Order(StringComparer.Ordinal));
        foreach (var (pool, kinds) in Pools)
        {
            var container = Assert.Single(Assert.Single(objects.OfType<V1Deployment>(), d => d.Metadata.Name == pool).Spec.Template.Spec.Containers);
            Assert.Equal(kinds, kinds.Select((_, i) => Env(container, $"Workers__Kinds__{i}")));
            Assert.Null(Env(container, $"Workers__Kinds__{kinds.Length}"));

            var scaled = Assert.Single(objects.OfType<ScaledObject>(), s => s.Metadata.Name == pool);
            Assert.Equal(ScaledObject.ApiGroupVersion, scaled.ApiVersion);
            Assert.Equal(pool, scaled.Spec.ScaleTargetRef.Name);
            Assert.True(scaled.Spec.ScaleTargetRef.Kind is null or "Deployment", $"{pool}'s ScaledObject targets a {scaled.Spec.ScaleTargetRef.Kind}");
            Assert.True(scaled.Spec.MinReplicaCount >= 1 && scaled.Spec.MaxReplicaCount >= scaled.Spec.MinReplicaCount, $"{pool}: replica bounds");
            Assert.Equal(kinds.Select(k => $"aiserver:{{jobs}}:stream:{k}"), scaled.Spec.Triggers.Select(t => t.Metadata["stream"]));
            Assert.All(scaled.Spec.Triggers, t =>
            {
                Assert.Equal("redis-streams", t.Type);
                Assert.Equal("workers", t.Metadata["consumerGroup"]);
                Assert.True(t.Metadata.ContainsKey("lagCount") || t.Metadata.ContainsKey("pendingEntriesCount"), $"{pool}: a trigger without a target count");
                foreach (var fromEnv in t.Metadata.Where(m => m.Key.EndsWith("FromEnv", StringComparison.Ordinal)))
                {
                    Assert.True(container.Env.Any(e => e.Name == fromEnv.Value), $"{pool}: KEDA reads {fromEnv.Value} from the container, which does not set it");
                }
            });
        }
    }

    private static List<object> LoadAll()
    {
        var types = new Dictionary<string, Type>(StringComparer.Ordinal) { [ScaledObject.ApiGroupVersion + "/ScaledObject"] = typeof(ScaledObject) };
        return [.. Directory.GetFiles(ManifestDirectory, "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml").Order(StringComparer.Ordinal)
            .SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(f), types, strict: true))];
    }

    private static string? Env(V1Container container, string name) => container.Env.SingleOrDefault(e => e.Name == name)?.Value;

    private static TimeSpan? Duration(V1Container container, string name) =>
        Env(container, name) is { } value ? TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>The port a service's image exposes and its ASPNETCORE_HTTP_PORTS, from the project's container settings.</summary>
    private static (int Port, string? HttpPortsVariable) ContainerPort(string project)
    {
        var csproj = XDocument.Load(Path.Combine(SolutionPaths.Root, project, project + ".csproj"));
        var port = csproj.Descendants("ContainerPort").Single().Attribute("Include")!.Value;
        var httpPorts = csproj.Descendants("ContainerEnvironmentVariable").SingleOrDefault(e => e.Attribute("Include")?.Value == "ASPNETCORE_HTTP_PORTS")?.Attribute("Value")?.Value;
        return (int.Parse(port, System.Globalization.CultureInfo.InvariantCulture), httpPorts);
    }
}
