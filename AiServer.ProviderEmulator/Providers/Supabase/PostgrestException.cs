namespace AiServer.ProviderEmulator.Providers.Supabase;

/// <summary>A PostgREST error to answer with (<c>{code, details, hint, message}</c>).</summary>
internal sealed class PostgrestException(int status, string code, string message, string? details = null, string? hint = null) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string? Details { get; } = details;

    public string? Hint { get; } = hint;
}
