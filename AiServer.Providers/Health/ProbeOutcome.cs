using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.Providers.Health;

/// <summary>One probe's result, when it was taken, whether it may be reused from the cache, and how long it took.</summary>
internal sealed record ProbeOutcome(HealthCheckResult Result, DateTimeOffset ProbedAt, bool Cacheable, TimeSpan Duration = default);
