using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.Providers.Health;

/// <summary>One probe's result, when it was taken, and whether it may be reused from the cache.</summary>
internal sealed record ProbeOutcome(HealthCheckResult Result, DateTimeOffset ProbedAt, bool Cacheable);
