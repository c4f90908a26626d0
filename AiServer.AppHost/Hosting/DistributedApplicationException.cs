namespace AiServer.AppHost.Hosting;

/// <summary>The application could not be built or started; the message says what to do.</summary>
public sealed class DistributedApplicationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DistributedApplicationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public DistributedApplicationException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public DistributedApplicationException()
    {
    }
}
