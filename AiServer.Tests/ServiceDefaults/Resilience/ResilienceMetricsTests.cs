using System.Diagnostics.Metrics;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AiServer.Tests.ServiceDefaults.Resilience;

public sealed class ResilienceMetricsTests
{
    private sealed record Measured(string Instrument, double Value, Dictionary<string, string?> Tags);

    private static MeterListener Listen(List<Measured> into)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "AiServer.Resilience")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var dict = new Dictionary<string, string?>();
            foreach (var tag in tags)
            {
                dict[tag.Key] = tag.Value?.ToString();
            }

            lock (into)
            {
                into.Add(new(instrument.Name, value, dict));
            }
        }

        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        listener.Start();
        return listener;
    }

    [Fact]
    public void Instruments_BreakerTripsAndRejects_RecordFailuresTransitionsRejectionsAndState()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var name = "metrics-" + BreakerTestHelpers.UniqueName("m");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"CircuitBreakers:{name}:FailureThreshold"] = "2" });
        builder.AddFleetCircuitBreakers();
        using var host = builder.Build();
        var breaker = host.Services.GetRequiredService<CircuitBreakerRegistry>().GetFleet(name);
        var seen = new List<Measured>();
        using var listener = Listen(seen);

        breaker.Fail(2);
        breaker.TryEnter(out _);
        listener.RecordObservableInstruments();

        Measured[] mine;
        lock (seen)
        {
            mine = [.. seen.Where(m => m.Tags.GetValueOrDefault("name") == name)];
        }

        Assert.Equal(2, mine.Where(m => m.Instrument == "circuit_breaker.failures").Sum(m => m.Value));
        Assert.Contains(mine, m => m.Instrument == "circuit_breaker.transitions" && m.Tags["from"] == "CLOSED" && m.Tags["to"] == "OPEN");
        Assert.Contains(mine, m => m.Instrument == "circuit_breaker.rejections" && m.Tags["reason"] == "open");
        Assert.Contains(mine, m => m.Instrument == "circuit_breaker.state" && m.Value == 2);
    }
}
