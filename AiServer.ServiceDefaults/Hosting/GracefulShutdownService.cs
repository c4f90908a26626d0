using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiServer.ServiceDefaults.Hosting;

/// <summary>
/// On SIGTERM (or any host stop): readiness turns 503 at once, the instance keeps serving for
/// <see cref="ShutdownOptions.ReadinessDelay"/>, then the server stops accepting and in-flight requests get
/// <see cref="ShutdownOptions.DrainTimeout"/> (the host's shutdown timeout) to finish.
/// </summary>
internal sealed partial class GracefulShutdownService(
    DrainState drain,
    IOptions<ShutdownOptions> options,
    TimeProvider timeProvider,
    ILogger<GracefulShutdownService> logger) : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        drain.BeginDraining();
        var delay = options.Value.ReadinessDelay;
        LogDraining(logger, delay.TotalMilliseconds, options.Value.DrainTimeout.TotalMilliseconds);
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The host's shutdown timeout ran out first; stop now.
            }
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information,
        Message = "Shutting down: readiness now reports 503; serving for {ReadinessDelayMs} ms more, then draining in-flight work for up to {DrainTimeoutMs} ms")]
    private static partial void LogDraining(ILogger logger, double readinessDelayMs, double drainTimeoutMs);
}
