using System.Diagnostics.Metrics;

namespace AiServer.Jobs.Outbox;

/// <summary>
/// <c>jobs_outbox_lag_seconds</c> (age of the oldest change not yet in Supabase, 0 when the outbox is empty),
/// <c>jobs_outbox_length</c> and <c>jobs_outbox_relayed_total</c>. Sampled by every api from Redis, so the figure is
/// the fleet's whichever instance holds the relay lease.
/// </summary>
internal sealed class OutboxTelemetry : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _relayed;
    private double _lag;
    private long _length;

    public OutboxTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create("AiServer.Jobs.Outbox");
        _relayed = _meter.CreateCounter<long>("jobs.outbox.relayed", description: "Outbox entries written to Supabase.");
        _meter.CreateObservableGauge("jobs.outbox.lag", () => Volatile.Read(ref _lag), "s", "Age of the oldest job change not yet written to Supabase (0: none).");
        _meter.CreateObservableGauge("jobs.outbox.length", () => Interlocked.Read(ref _length), description: "Job changes waiting in the outbox.");
    }

    public void Sample(double lagSeconds, long length)
    {
        Volatile.Write(ref _lag, lagSeconds);
        Interlocked.Exchange(ref _length, length);
    }

    /// <summary>The last sample: lag in seconds and entries waiting.</summary>
    public (double Lag, long Length) Last => (Volatile.Read(ref _lag), Interlocked.Read(ref _length));

    public void Relayed(int count) => _relayed.Add(count);

    public void Dispose() => _meter.Dispose();
}
