namespace AiServer.ProviderEmulator.Options;

/// <summary><c>Emulator:Supabase</c>.</summary>
public sealed class SupabaseOptions : ProviderOptions
{
    /// <summary>RPC functions: name -> JSON text returned by <c>POST /rest/v1/rpc/{name}</c>.</summary>
    public Dictionary<string, string> Functions { get; set; } = new(StringComparer.Ordinal);
}
