using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AiServer.ServiceDefaults.Redis;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.ServiceDefaults.Redis;

public sealed class RedisMetricsTests(RedisServer server)
{
    [Fact(Timeout = 30_000)]
    public async Task Commands_Completed_AreCountedAndTimedByCommandAndOutcome()
    {
        using var metrics = new RedisMetrics();
        var counts = new ConcurrentQueue<(string Instrument, string? Command, string? Outcome)>();
        var durations = new ConcurrentQueue<double>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == metrics.Meter)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
            counts.Enqueue((instrument.Name, Tag(tags, "command"), Tag(tags, "outcome"))));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == "redis.command.duration")
            {
                durations.Enqueue(value);
            }
        });
        listener.Start();
        await using RedisClient client = await RedisTestClient.ConnectAsync(server.ConnectionString, metrics);
        string key = RedisTestClient.Key("metrics");
        await client.GetDatabase().SetAddAsync(key, "m", TestContext.Current.CancellationToken);

        await client.GetDatabase().StringGetAsync(RedisTestClient.Key("metrics-missing"), TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<RedisServerException>(async () => await client.GetDatabase().StringGetAsync(key, TestContext.Current.CancellationToken));
        listener.RecordObservableInstruments();

        Assert.Contains(("redis.commands", "get", "success"), counts);
        Assert.Contains(("redis.commands", "get", "error"), counts);
        Assert.NotEmpty(durations);
        Assert.All(durations, d => Assert.True(d >= 0));
        Assert.Contains(metrics.Meter.Name, "AiServer.Redis");
    }

    private static string? Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == name)
            {
                return tag.Value as string;
            }
        }

        return null;
    }
}
