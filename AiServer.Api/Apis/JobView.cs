using System.Text.Json.Nodes;
using AiServer.Jobs;
using AiServer.ServiceDefaults.Resilience;

namespace AiServer.Api.Apis;

/// <summary>A job as clients see it (no owner, no storage details), with links to its events, output and cancel.</summary>
public sealed record JobView
{
    public required string Id { get; init; }

    public required string Kind { get; init; }

    /// <summary><c>queued</c>, <c>running</c>, <c>waiting_for_provider</c>, <c>succeeded</c>, <c>failed</c> or <c>canceled</c>.</summary>
    public required string Status { get; init; }

    public required string Provider { get; init; }

    public required JsonObject Input { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public int Attempts { get; init; }

    public string? ProviderJobId { get; init; }

    public JobOutputView? Output { get; init; }

    public JobError? Error { get; init; }

    public JobWaiting? Waiting { get; init; }

    /// <summary>Moves to other providers of the kind: from, to, reason (<c>breaker_open</c>, <c>provider_error</c>), detail, at.</summary>
    public IReadOnlyList<JobFallback>? Fallbacks { get; init; }

    public required IReadOnlyDictionary<string, string> Links { get; init; }

    /// <summary>The view as JSON, for the <c>data</c> of client webhooks (the same shape <c>GET /v1/jobs/{id}</c> answers).</summary>
    internal static Func<JobRecord, JsonNode> Renderer(IServiceProvider services)
    {
        var breakers = services.GetRequiredService<ICircuitBreakerRegistry>();
        return job => System.Text.Json.JsonSerializer.SerializeToNode(From(job, breakers), AiServer.Jobs.JobJson.Options)!;
    }

    /// <summary>
    /// The view of <paramref name="job"/>. A job not yet running whose provider's breaker is OPEN fleet-wide shows
    /// <c>waiting_for_provider</c> with the breaker's reason and next probe, as the workers will not take it until then.
    /// </summary>
    internal static JobView From(JobRecord job, ICircuitBreakerRegistry breakers)
    {
        var status = job.Status;
        var waiting = job.Waiting;
        if (status is JobStatus.Queued or JobStatus.WaitingForProvider && breakers.TryGet(job.Provider, out var breaker) && breaker.State == CircuitState.Open)
        {
            var stats = breaker.GetStats();
            status = JobStatus.WaitingForProvider;
            waiting = new JobWaiting { Provider = job.Provider, Reason = stats.OpenReason ?? stats.LastFailureReason, NextProbeAt = stats.NextAttemptTime };
        }
        else if (status == JobStatus.Queued)
        {
            waiting = null;
        }

        var links = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["self"] = "/v1/jobs/" + job.Id,
            ["events"] = "/v1/jobs/" + job.Id + "/events",
        };
        if (!job.IsTerminal)
        {
            links["cancel"] = "/v1/jobs/" + job.Id + "/cancel";
        }

        if (job.Output?.Url is { } url)
        {
            links["output"] = url;
        }

        return new JobView
        {
            Id = job.Id,
            Kind = job.Kind,
            Status = status,
            Provider = job.Provider,
            Input = job.Input,
            CreatedAt = job.CreatedAt,
            UpdatedAt = job.UpdatedAt,
            StartedAt = job.StartedAt,
            CompletedAt = job.CompletedAt,
            Attempts = job.Attempts,
            ProviderJobId = job.ProviderJobId,
            Output = job.Output is { } output ? new JobOutputView { Url = output.Url, ContentType = output.ContentType, Size = output.Size, Data = output.Data } : null,
            Error = job.Error,
            Waiting = status == JobStatus.WaitingForProvider ? waiting : null,
            Fallbacks = job.Fallbacks,
            Links = links,
        };
    }
}
