using System.Diagnostics.Metrics;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>
/// The client's instruments on the <c>AiServer.Redis</c> meter. Exported (dots to underscores, unit suffix, counters
/// <c>_total</c>) as <c>redis_commands_total{command,outcome}</c>, <c>redis_command_duration_seconds{command}</c>,
/// <c>redis_reconnects_total</c>, plus the observable <c>redis_connected</c> and <c>redis_commands_in_flight</c>.
/// </summary>
internal sealed class RedisMetrics : IDisposable
{
    public const string MeterName = "AiServer.Redis";

    public const string Success = "success";
    public const string ServerError = "error";
    public const string Timeout = "timeout";
    public const string ConnectionError = "connection_error";
    public const string Canceled = "canceled";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _commands;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _reconnects;
    private readonly TimeProvider _timeProvider;

    public RedisMetrics(IMeterFactory? meterFactory = null, TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        if (meterFactory is null)
        {
            _meter = new Meter(MeterName);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(MeterName);
        }

        _commands = _meter.CreateCounter<long>("redis.commands", unit: null, "Redis commands completed, by command and outcome.");
        _duration = _meter.CreateHistogram(
            "redis.command.duration",
            unit: "s",
            description: "Time from sending a Redis command to its reply.",
            tags: null,
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
            });
        _reconnects = _meter.CreateCounter<long>("redis.reconnects", unit: null, "Successful reconnections to Redis after a lost connection.");
        _meter.CreateObservableGauge("redis.connected", () => StatusProvider?.Invoke() is { IsConnected: true } ? 1 : 0, unit: null, "1 while the command connection to Redis is up.");
        _meter.CreateObservableUpDownCounter("redis.commands.in_flight", () => StatusProvider?.Invoke()?.InFlight ?? 0, unit: null, "Redis commands sent and not yet answered.");
    }

    public Meter Meter => _meter;

    public TimeProvider TimeProvider => _timeProvider;

    /// <summary>Source of the observable instruments; set by the client that owns these metrics.</summary>
    public Func<RedisConnectionStatus>? StatusProvider { get; set; }

    public void RecordCommand(string command, string outcome, long startTimestamp)
    {
        if (_commands.Enabled)
        {
            _commands.Add(1, new KeyValuePair<string, object?>("command", command), new KeyValuePair<string, object?>("outcome", outcome));
        }

        if (_duration.Enabled && outcome is Success or ServerError)
        {
            _duration.Record(_timeProvider.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>("command", command));
        }
    }

    public void RecordReconnect() => _reconnects.Add(1);

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
