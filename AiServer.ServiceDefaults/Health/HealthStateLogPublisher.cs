using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace AiServer.ServiceDefaults.Health;

/// <summary>
/// Health in the log, edge-triggered: a line when a readiness check changes status, and a reminder every
/// <see cref="ReminderInterval"/> while it stays bad. It runs on the health publisher's timer, not per request, so
/// unauthenticated probe traffic cannot flood the log (ASP.NET Core's per-evaluation lines are filtered out, see
/// <c>AddDefaultHealthChecks</c>).
/// </summary>
internal sealed partial class HealthStateLogPublisher(TimeProvider time, ILogger<HealthStateLogPublisher> logger) : IHealthCheckPublisher
{
    public static readonly TimeSpan ReminderInterval = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, (HealthStatus Status, DateTimeOffset LoggedAt)> _last = new(StringComparer.Ordinal);

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var now = time.GetUtcNow();
        foreach (var (name, entry) in report.Entries)
        {
            var known = _last.TryGetValue(name, out var last);
            if (!known && entry.Status == HealthStatus.Healthy)
            {
                _last[name] = (entry.Status, now);
                continue;
            }

            if (known && last.Status == entry.Status && (entry.Status == HealthStatus.Healthy || now - last.LoggedAt < ReminderInterval))
            {
                continue;
            }

            var description = entry.Description ?? string.Empty;
            if (entry.Status == HealthStatus.Healthy)
            {
                LogRecovered(logger, name, last.Status, now - last.LoggedAt);
            }
            else if (known && last.Status == entry.Status)
            {
                LogStillBad(logger, name, entry.Status, description);
            }
            else
            {
                LogChanged(logger, name, known ? last.Status : HealthStatus.Healthy, entry.Status, description);
            }

            _last[name] = (entry.Status, now);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(1, LogLevel.Warning, "Health check '{Check}' changed from {From} to {To}: {Description}")]
    private static partial void LogChanged(ILogger logger, string check, HealthStatus from, HealthStatus to, string description);

    [LoggerMessage(2, LogLevel.Warning, "Health check '{Check}' is still {Status}: {Description}")]
    private static partial void LogStillBad(ILogger logger, string check, HealthStatus status, string description);

    [LoggerMessage(3, LogLevel.Information, "Health check '{Check}' is healthy again (was {From} for {Duration}).")]
    private static partial void LogRecovered(ILogger logger, string check, HealthStatus from, TimeSpan duration);
}
