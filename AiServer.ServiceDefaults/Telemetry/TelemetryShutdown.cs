using AiServer.ServiceDefaults.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AiServer.ServiceDefaults.Telemetry;

/// <summary>
/// Bounds the last telemetry export at shutdown to <see cref="ShutdownOptions.TelemetryFlushTimeout"/>. Left to
/// themselves the OpenTelemetry providers flush when the container disposes them, and with the OTLP collector away
/// (Aspire's retry on) that took 16 s here: longer than DCP's 6 s between SIGTERM and SIGKILL, so a replica stopped
/// from the dashboard was killed and Aspire reported "Failed to stop resource" and never started it again (found by
/// the rolling-restart drill). Each provider is shut down here once the host has stopped, all in parallel; their
/// later disposal is then a no-op. The providers are taken when the host starts: by the time it has stopped, its
/// service provider may already be disposed (a host disposed without being stopped first stops it from there).
/// </summary>
internal sealed partial class TelemetryShutdown(IServiceProvider services, IOptions<ShutdownOptions> options, ILogger<TelemetryShutdown> logger) : IHostedLifecycleService
{
    private readonly TracerProvider? _tracer = services.GetService<TracerProvider>();
    private readonly MeterProvider? _meter = services.GetService<MeterProvider>();
    private readonly LoggerProvider? _log = services.GetService<LoggerProvider>();
    private int _stopped;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return; // a host stopped again (disposed after an explicit stop): the providers are already shut down
        }

        var timeout = options.Value.TelemetryFlushTimeout;
        var milliseconds = (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds);
        var flushes = new List<Task<bool>>();
        if (_tracer is { } tracer)
        {
            flushes.Add(Task.Run(() => tracer.Shutdown(milliseconds), CancellationToken.None));
        }

        if (_meter is { } meter)
        {
            flushes.Add(Task.Run(() => meter.Shutdown(milliseconds), CancellationToken.None));
        }

        if (_log is { } log)
        {
            flushes.Add(Task.Run(() => log.Shutdown(milliseconds), CancellationToken.None));
        }

        // Shutdown(timeout) waits at most that long for its processors; the extra second covers a provider that does not.
        var all = Task.WhenAll(flushes);
        if (await Task.WhenAny(all, Task.Delay(timeout + TimeSpan.FromSeconds(1), CancellationToken.None)).ConfigureAwait(false) != all || all.Result.Any(ok => !ok))
        {
            LogFlushIncomplete(logger, timeout.TotalMilliseconds);
        }
    }

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Telemetry not fully exported within {TimeoutMs} ms of shutdown (is the OTLP collector reachable?); the rest is dropped so the process can exit.")]
    private static partial void LogFlushIncomplete(ILogger logger, double timeoutMs);
}
