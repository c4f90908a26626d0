namespace AiServer.Providers.Supabase;

/// <summary>A PostgREST error: <c>{code, details, hint, message}</c> with its HTTP status.</summary>
public sealed class SupabaseException : ProviderException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="operation">The operation name.</param>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="code">The PostgREST (<c>PGRSTxxx</c>) or SQLSTATE code.</param>
    /// <param name="message">The message.</param>
    /// <param name="details">PostgREST's details.</param>
    /// <param name="hint">PostgREST's hint.</param>
    public SupabaseException(string operation, int statusCode, string? code, string message, string? details, string? hint)
        : base(ProviderNames.Supabase, operation, statusCode, code, message)
    {
        Details = details;
        Hint = hint;
    }

    /// <summary>Creates the exception.</summary>
    public SupabaseException()
        : this("unknown", 500, null, "Supabase error", null, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public SupabaseException(string message)
        : this("unknown", 500, null, message, null, null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SupabaseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>PostgREST's <c>details</c>.</summary>
    public string? Details { get; }

    /// <summary>PostgREST's <c>hint</c>.</summary>
    public string? Hint { get; }
}
