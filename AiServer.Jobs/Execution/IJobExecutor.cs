namespace AiServer.Jobs.Execution;

/// <summary>Runs jobs of one kind on their provider.</summary>
internal interface IJobExecutor
{
    /// <summary>The kind (see <see cref="JobKinds"/>).</summary>
    string Kind { get; }

    /// <summary>
    /// Runs <paramref name="job"/> to its output. Where the provider creates a job of its own, the executor records its
    /// id (<see cref="JobExecution.RecordProviderJobAsync"/>) before waiting for it, and a job that has one already is
    /// resumed, never submitted again. Provider failures are thrown as they come (the worker decides what they mean).
    /// </summary>
    Task<JobOutput> RunAsync(JobExecution job, CancellationToken cancellationToken);

    /// <summary>Cancels the provider's job, where the provider can (best effort).</summary>
    Task CancelAtProviderAsync(JobRecord job, CancellationToken cancellationToken);
}
