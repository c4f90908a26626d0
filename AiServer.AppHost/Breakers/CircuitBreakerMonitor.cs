using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;
using AiServer.AppHost.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AiServer.AppHost.Breakers;

/// <summary>
/// Keeps the breaker resources in the dashboard current: reads the fleet view from the api
/// (<c>GET /metrics/circuit-breakers</c>) when the fleet's Redis channel announces a transition, after every command,
/// and every <see cref="ResyncInterval"/> besides (a lost message or a Redis outage heals by itself).
/// </summary>
internal sealed partial class CircuitBreakerMonitor(
    IReadOnlyList<CircuitBreakerResource> breakers,
    ProjectResource api,
    ParameterResource adminToken,
    IResourceWithConnectionString redis,
    string keyPrefix,
    ResourceNotificationService notifications,
    TimeProvider timeProvider,
    ILogger<CircuitBreakerMonitor> logger) : BackgroundService
{
    public static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(3);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly Channel<bool> _refresh = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<string, string> _shown = new(StringComparer.Ordinal);
    private ConnectionMultiplexer? _redis;

    /// <summary>Runs a manual action through the api's admin endpoint; returns the error to show, or null.</summary>
    public async Task<string?> ExecuteAsync(CircuitBreakerResource resource, BreakerAction action, CancellationToken cancellationToken)
    {
        var baseUrl = ApiUrl();
        if (baseUrl is null)
        {
            return "The api has no endpoint yet; try again when it is running.";
        }

        var path = action switch
        {
            BreakerAction.ForceOpen => "force-open?reason=" + Uri.EscapeDataString("forced from the Aspire dashboard"),
            BreakerAction.ForceClose => "force-close?reason=" + Uri.EscapeDataString("forced from the Aspire dashboard"),
            _ => "reset",
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/admin/circuit-breakers/{Uri.EscapeDataString(resource.BreakerName)}/{path}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await adminToken.GetValueAsync(cancellationToken).ConfigureAwait(false));
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                return $"The api answered {(int)response.StatusCode}: {Truncate(body, 300)}";
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return $"The api did not answer: {ex.Message}";
        }

        LogManualAction(logger, action, resource.BreakerName);
        _refresh.Writer.TryWrite(true);
        return null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            _ = SubscribeAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(ResyncInterval);
                try
                {
                    await _refresh.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // The periodic resync.
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }

        _http.Dispose();
    }

    /// <summary>Subscribes to the fleet's transition channel: any message there means "re-read the breakers now".</summary>
    private async Task SubscribeAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var connectionString = await redis.ConnectionStringExpression.GetValueAsync(stoppingToken).ConfigureAwait(false);
                if (connectionString is null)
                {
                    await Task.Delay(ResyncInterval, timeProvider, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                var options = ConfigurationOptions.Parse(connectionString);
                options.AbortOnConnectFail = false;
                options.ClientName = "aiserver-apphost";
                _redis = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
                await _redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(keyPrefix + "cb:events"), (_, _) => _refresh.Writer.TryWrite(true)).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is RedisException or InvalidOperationException or ArgumentException)
            {
                LogSubscribeFailed(logger, ex.Message);
                await Task.Delay(ResyncInterval, timeProvider, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private string? ApiUrl()
    {
        var endpoint = api.GetEndpoint("http");
        return endpoint.IsAllocated ? endpoint.Url.TrimEnd('/') : null;
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var baseUrl = ApiUrl();
        if (baseUrl is null)
        {
            return;
        }

        JsonDocument document;
        try
        {
            using var response = await _http.GetAsync(new Uri($"{baseUrl}/metrics/circuit-breakers"), cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            _shown.Clear();
            foreach (var breaker in breakers)
            {
                await notifications.PublishUpdateAsync(breaker, s => s with
                {
                    State = new ResourceStateSnapshot("Unknown", KnownResourceStateStyles.Warn),
                    Properties = s.Properties.With("breaker.error", $"the api did not answer: {ex.Message}"),
                }).ConfigureAwait(false);
            }

            return;
        }

        using (document)
        {
            var root = document.RootElement;
            var instance = Text(root, "instance");
            var sync = Text(root, "sync");
            foreach (var view in root.GetProperty("breakers").EnumerateArray())
            {
                var name = Text(view, "name");
                var breaker = breakers.FirstOrDefault(b => b.BreakerName == name);
                if (breaker is null)
                {
                    continue;
                }

                var state = Text(view, "state") ?? "Unknown";
                var forced = Text(view, "forced") ?? "NONE";
                var openedBy = Text(view, "openedBy") ?? string.Empty;
                var reason = Text(view, "openReason") ?? string.Empty;
                var nextAttempt = Text(view, "nextAttemptTime") ?? string.Empty;
                var version = view.TryGetProperty("version", out var v) ? v.GetInt64() : 0;
                var shown = string.Join('\n', state, forced, version, openedBy, reason, nextAttempt, sync);
                if (_shown.TryGetValue(breaker.Name, out var previous) && previous == shown)
                {
                    continue; // unchanged: no update event for the dashboard and the resource watchers
                }

                _shown[breaker.Name] = shown;
                var style = state switch
                {
                    "CLOSED" => KnownResourceStateStyles.Success,
                    "HALF_OPEN" => KnownResourceStateStyles.Warn,
                    _ => KnownResourceStateStyles.Error,
                };
                await notifications.PublishUpdateAsync(breaker, s => s with
                {
                    State = new ResourceStateSnapshot(state, style),
                    Properties = s.Properties
                        .With("breaker.state", state)
                        .With("breaker.forced", forced)
                        .With("breaker.version", version)
                        .With("breaker.openedBy", openedBy)
                        .With("breaker.reason", reason)
                        .With("breaker.nextAttempt", nextAttempt)
                        .With("breaker.sync", sync ?? string.Empty)
                        .With("breaker.readFrom", instance ?? string.Empty)
                        .With("breaker.readAt", timeProvider.GetUtcNow().ToString("O", CultureInfo.InvariantCulture))
                        .With("breaker.error", string.Empty),
                }).ConfigureAwait(false);
            }
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "...";

    [LoggerMessage(1, LogLevel.Information, "Dashboard command: {Action} on breaker '{Breaker}' done through the api's admin endpoint.")]
    private static partial void LogManualAction(ILogger logger, BreakerAction action, string breaker);

    [LoggerMessage(2, LogLevel.Warning, "Cannot subscribe to the fleet's breaker channel yet ({Reason}); the dashboard's breakers refresh every few seconds meanwhile.")]
    private static partial void LogSubscribeFailed(ILogger logger, string reason);
}
