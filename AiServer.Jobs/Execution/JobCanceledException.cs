namespace AiServer.Jobs.Execution;

/// <summary>The job was canceled by its owner while it ran; the worker stops and cancels at the provider where it can.</summary>
internal sealed class JobCanceledException : Exception
{
    public JobCanceledException()
        : base("The job was canceled.")
    {
    }

    public JobCanceledException(string message)
        : base(message)
    {
    }

    public JobCanceledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
