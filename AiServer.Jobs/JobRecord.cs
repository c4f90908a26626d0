using System.Text.Json.Nodes;

namespace AiServer.Jobs;

/// <summary>
/// One job as Redis stores it (<c>{p}{jobs}:job:{id}</c>). Immutable: every change is a new record written with the
/// previous <see cref="Version"/> as its condition, so two writers can never both win, and a terminal state is final.
/// </summary>
public sealed record JobRecord
{
    public required string Id { get; init; }

    public required string Kind { get; init; }

    public required string Status { get; init; }

    /// <summary>The provider that runs (or ran) the job.</summary>
    public required string Provider { get; init; }

    /// <summary>Whether the client pinned <see cref="Provider"/> (no fallback to another provider).</summary>
    public bool ProviderPinned { get; init; }

    /// <summary>The API key id that owns the job (<c>key_...</c>); a key sees only its own jobs.</summary>
    public required string Owner { get; init; }

    /// <summary>The validated input, as the client sent it.</summary>
    public required JsonObject Input { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Attempts started so far (a breaker rejection does not count: the request was never sent).</summary>
    public int Attempts { get; init; }

    /// <summary>
    /// The provider's id for the job (prediction, training, finetune, generation), recorded as soon as the provider
    /// accepted it and before the queue message is acknowledged: a reclaimed job resumes with it instead of submitting again.
    /// </summary>
    public string? ProviderJobId { get; init; }

    /// <summary>
    /// Set right before a submission that has no provider id to record (a synchronous create such as voice cloning):
    /// a worker that finds it set on a reclaimed job looks the result up at the provider before submitting again.
    /// </summary>
    public DateTimeOffset? SubmittingAt { get; init; }

    public JobOutput? Output { get; init; }

    public JobError? Error { get; init; }

    /// <summary>Set while <see cref="Status"/> is <c>waiting_for_provider</c>.</summary>
    public JobWaiting? Waiting { get; init; }

    /// <summary>The moves to other providers of the kind, oldest first (see <see cref="JobsOptions.Fallbacks"/>).</summary>
    public IReadOnlyList<JobFallback>? Fallbacks { get; init; }

    /// <summary>The optimistic-concurrency version (1 at creation, +1 per change).</summary>
    public long Version { get; init; }

    public bool IsTerminal => JobStatus.IsTerminal(Status);
}
