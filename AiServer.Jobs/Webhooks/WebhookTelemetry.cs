using System.Diagnostics.Metrics;

namespace AiServer.Jobs.Webhooks;

/// <summary>
/// <c>webhook_deliveries_total{outcome}</c> (<c>delivered</c>, <c>failed</c>, <c>retrying</c>: the alert rules use these
/// names), <c>webhook_delivery_duration_seconds</c> (one attempt), <c>webhooks_inbound_total{provider,outcome}</c> and
/// <c>webhooks_inbound_verification_failures_total{provider}</c>.
/// </summary>
internal sealed class WebhookTelemetry : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _latency;
    private readonly Counter<long> _inbound;
    private readonly Counter<long> _verificationFailures;

    public WebhookTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create("AiServer.Webhooks");
        _deliveries = _meter.CreateCounter<long>("webhook.deliveries", description: "Client webhook delivery attempts by outcome: delivered, retrying (failed, will retry), failed (gave up).");
        _latency = _meter.CreateHistogram<double>(
            "webhook.delivery.duration",
            "s",
            "Time of one client webhook delivery attempt.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _inbound = _meter.CreateCounter<long>("webhooks.inbound", description: "Provider webhooks received, by provider and outcome (accepted, ignored, unknown_job, unverified).");
        _verificationFailures = _meter.CreateCounter<long>("webhooks.inbound.verification_failures", description: "Provider webhooks refused: bad or missing signature, or outside the replay window.");
    }

    public void Delivery(string outcome, double seconds)
    {
        _deliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        _latency.Record(seconds, new KeyValuePair<string, object?>("outcome", outcome));
    }

    public void Inbound(string provider, InboundWebhookOutcome outcome)
    {
        var name = outcome switch
        {
            InboundWebhookOutcome.Accepted => "accepted",
            InboundWebhookOutcome.Ignored => "ignored",
            InboundWebhookOutcome.UnknownJob => "unknown_job",
            _ => "unverified",
        };
        _inbound.Add(1, new("provider", provider), new("outcome", name));
        if (outcome == InboundWebhookOutcome.Unverified)
        {
            _verificationFailures.Add(1, new KeyValuePair<string, object?>("provider", provider));
        }
    }

    public void Dispose() => _meter.Dispose();
}
