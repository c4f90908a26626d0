using System.Collections.Concurrent;
using AiServer.AppHost.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AiServer.AppHost.Restarts;

/// <summary>
/// Watches every resource marked with <see cref="RestartOnExitAnnotation"/> and starts it again when its process ends
/// on its own: a state change straight from running to <c>Finished</c>/<c>Exited</c>. A stop asked for through the
/// dashboard passes through <c>Stopping</c> first and is left alone, and nothing restarts while the AppHost stops.
/// </summary>
internal sealed partial class ResourceRestarter(
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    ResourceLoggerService resourceLogs,
    IHostApplicationLifetime lifetime,
    TimeProvider timeProvider,
    ILogger<ResourceRestarter> logger) : BackgroundService
{
    private static readonly HashSet<string?> s_exited = [KnownResourceStates.Finished, KnownResourceStates.Exited];
    private readonly ConcurrentDictionary<string, Instance> _instances = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var change in notifications.WatchAsync(stoppingToken).ConfigureAwait(false))
            {
                if (!change.Resource.TryGetLastAnnotation<RestartOnExitAnnotation>(out var policy))
                {
                    continue;
                }

                var instance = _instances.GetOrAdd(change.ResourceId, _ => new Instance());
                var state = change.Snapshot.State?.Text;
                var previous = instance.LastState;
                instance.LastState = state;
                if (s_exited.Contains(state) && !s_exited.Contains(previous) && previous != KnownResourceStates.Stopping
                    && previous is not null && !lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    _ = RestartAsync(change.Resource, change.ResourceId, change.Snapshot.ExitCode, policy, instance, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RestartAsync(IResource resource, string resourceId, int? exitCode, RestartOnExitAnnotation policy, Instance instance, CancellationToken stoppingToken)
    {
        var resourceLog = resourceLogs.GetLogger(resourceId);
        var now = timeProvider.GetUtcNow();
        int attempt;
        lock (instance)
        {
            instance.Restarts.RemoveAll(t => now - t > policy.Window);
            instance.Restarts.Add(now);
            attempt = instance.Restarts.Count;
            instance.Total++;
        }

        var exit = exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown";
        if (attempt > policy.MaxRestarts)
        {
            LogGaveUp(logger, resourceId, exit, policy.MaxRestarts, policy.Window.TotalMinutes);
            LogGaveUp(resourceLog, resourceId, exit, policy.MaxRestarts, policy.Window.TotalMinutes);
            return;
        }

        var delay = policy.DelayFor(attempt);
        LogRestarting(logger, resourceId, exit, delay.TotalSeconds, attempt, policy.MaxRestarts);
        LogRestarting(resourceLog, resourceId, exit, delay.TotalSeconds, attempt, policy.MaxRestarts);
        try
        {
            await Task.Delay(delay, timeProvider, stoppingToken).ConfigureAwait(false);
            if (lifetime.ApplicationStopping.IsCancellationRequested || !s_exited.Contains(instance.LastState))
            {
                return; // stopping, or someone started it already
            }

            var result = await commands.ExecuteCommandAsync(resourceId, KnownResourceCommands.StartCommand, stoppingToken).ConfigureAwait(false);
            if (!result.Success)
            {
                LogRestartFailed(logger, resourceId, result.Message ?? "no reason given");
                return;
            }

            await notifications.PublishUpdateAsync(resource, resourceId, s => s with
            {
                Properties = s.Properties.With("aiserver.restarts", instance.Total),
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is InvalidOperationException or DistributedApplicationException)
        {
            LogRestartFailed(logger, resourceId, ex.Message);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "{ResourceId} exited on its own (exit code {ExitCode}); restarting in {DelaySeconds} s (restart {Attempt} of at most {MaxRestarts} in the window).")]
    private static partial void LogRestarting(ILogger logger, string resourceId, string exitCode, double delaySeconds, int attempt, int maxRestarts);

    [LoggerMessage(2, LogLevel.Error, "{ResourceId} exited on its own (exit code {ExitCode}) after {MaxRestarts} restarts in {WindowMinutes} minutes; it stays down. Start it from the dashboard when the cause is fixed.")]
    private static partial void LogGaveUp(ILogger logger, string resourceId, string exitCode, int maxRestarts, double windowMinutes);

    [LoggerMessage(3, LogLevel.Error, "Restarting {ResourceId} failed: {Reason}")]
    private static partial void LogRestartFailed(ILogger logger, string resourceId, string reason);

    private sealed class Instance
    {
        public string? LastState { get; set; }

        public List<DateTimeOffset> Restarts { get; } = [];

        public int Total { get; set; }
    }
}
