namespace AiServer.Jobs;

/// <summary>
/// The job states: <c>queued</c> -> <c>running</c> (or <c>waiting_for_provider</c> while the provider's breaker is
/// OPEN) -> <c>succeeded</c> | <c>failed</c> | <c>canceled</c>. Terminal states never change again.
/// </summary>
public static class JobStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string WaitingForProvider = "waiting_for_provider";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Canceled = "canceled";

    /// <summary>Every state, in lifecycle order.</summary>
    public static readonly IReadOnlyList<string> All = [Queued, Running, WaitingForProvider, Succeeded, Failed, Canceled];

    /// <summary>Whether the state is final.</summary>
    public static bool IsTerminal(string status) => status is Succeeded or Failed or Canceled;
}
