using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AiServer.Jobs;

/// <summary>
/// The <c>AiServer.Jobs</c> meter and activity source. Prometheus names: <c>jobs_submitted_total{kind}</c>,
/// <c>jobs_completed_total{kind,outcome}</c>, <c>job_duration_seconds{kind}</c> (histogram, submit to end),
/// <c>jobs_queue_depth{kind}</c>, <c>jobs_queue_oldest_age_seconds{kind}</c> and <c>jobs_dead_letters{kind}</c>
/// (gauges sampled from Redis by the api). Traces follow a job from the request through the stream to the provider call.
/// </summary>
internal sealed class JobTelemetry : IDisposable
{
    public const string Name = "AiServer.Jobs";

    public static readonly ActivitySource Source = new(Name);

    private readonly Meter _meter;
    private readonly Counter<long> _submitted;
    private readonly Counter<long> _completed;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _fallbacks;
    private volatile IReadOnlyDictionary<string, (long Depth, double Age, long Dead)> _queues = new Dictionary<string, (long, double, long)>();

    public JobTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(Name);
        _submitted = _meter.CreateCounter<long>("jobs.submitted", description: "Jobs accepted by the api.");
        _completed = _meter.CreateCounter<long>("jobs.completed", description: "Jobs that reached a terminal state, by outcome (succeeded, failed, canceled).");
        _duration = _meter.CreateHistogram<double>(
            "job.duration",
            "s",
            "Time from submission to the terminal state.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400] });
        _fallbacks = _meter.CreateCounter<long>("jobs.fallbacks", description: "Jobs moved to the next provider of their kind, by kind, from, to and reason.");
        _meter.CreateObservableGauge("jobs.queue.depth", () => Observe(static q => q.Depth), description: "Open jobs of a kind in its stream (queued or in work).");
        _meter.CreateObservableGauge("jobs.queue.oldest_age", () => Observe(static q => q.Age), "s", "Age of the oldest open message of a kind's stream.");
        _meter.CreateObservableGauge("jobs.dead_letters", () => Observe(static q => q.Dead), description: "Entries in a kind's dead-letter stream.");
    }

    /// <summary>
    /// Records 0 for the counters of <paramref name="kinds"/> so their series exist from the first scrape (a rate or an
    /// alert over them has data before the first job): submissions on the api, completions per outcome on the workers.
    /// </summary>
    public void RecordZeros(IEnumerable<string> kinds, bool submitted, bool completed)
    {
        foreach (var kind in kinds)
        {
            if (submitted)
            {
                _submitted.Add(0, new KeyValuePair<string, object?>("kind", kind));
            }

            if (completed)
            {
                foreach (var outcome in new[] { JobStatus.Succeeded, JobStatus.Failed, JobStatus.Canceled })
                {
                    _completed.Add(0, new("kind", kind), new("outcome", outcome));
                }
            }
        }
    }

    public void Submitted(string kind) => _submitted.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Completed(JobRecord job)
    {
        _completed.Add(1, new("kind", job.Kind), new("outcome", job.Status));
        _duration.Record(Math.Max(0, ((job.CompletedAt ?? job.UpdatedAt) - job.CreatedAt).TotalSeconds), new KeyValuePair<string, object?>("kind", job.Kind));
    }

    public void FellBack(string kind, string from, string to, string reason) =>
        _fallbacks.Add(1, new("kind", kind), new("from", from), new("to", to), new("reason", reason));

    /// <summary>The latest queue figures (from <see cref="Store.JobQueue.MeasureAsync"/>), one entry per kind.</summary>
    public void SetQueues(IReadOnlyDictionary<string, (long Depth, double Age, long Dead)> queues) => _queues = queues;

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<T>> Observe<T>(Func<(long Depth, double Age, long Dead), T> select)
        where T : struct =>
        _queues.Select(q => new Measurement<T>(select(q.Value), new KeyValuePair<string, object?>("kind", q.Key)));
}
