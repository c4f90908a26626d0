using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.Providers.Health;

/// <summary>A provider probe's result as the fleet shares it in Redis (hash <c>{p}{health:NAME}</c>).</summary>
/// <param name="Status">The probe's verdict.</param>
/// <param name="Description">The probe's message.</param>
/// <param name="Data">The probe's own details (account, credits, ...), without the sharing details.</param>
/// <param name="ResponseTime">How long the probe took at the instance that ran it.</param>
/// <param name="ProbedBy">The instance that ran it (<c>service.instance.id</c>).</param>
/// <param name="ProbedAt">When it started, on Redis's clock.</param>
internal sealed record SharedProbeResult(
    HealthStatus Status,
    string? Description,
    IReadOnlyDictionary<string, object> Data,
    TimeSpan ResponseTime,
    string ProbedBy,
    DateTimeOffset ProbedAt);
