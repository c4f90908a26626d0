namespace AiServer.AppHost.Providers;

/// <summary>The external providers the services call, as the AppHost wires them.</summary>
internal static class ProviderCatalog
{
    /// <summary>Every provider: configuration section, emulator path prefix, the seeds' key variable, and its parameter name.</summary>
    public static readonly ProviderEntry[] All =
    [
        new("Replicate", "replicate", "REPLICATE_API_TOKEN", "replicate-api-token"),
        new("Supabase", "supabase", "SUPABASE_SERVICE_ROLE_KEY", "supabase-service-role-key"),
        new("ElevenLabs", "elevenlabs", "ELEVENLABS_API_KEY", "elevenlabs-api-key"),
        new("SyncLabs", "synclabs", "SYNC_LABS_API_KEY", "sync-labs-api-key"),
        new("HuggingFace", "huggingface", "HF_TOKEN", "hf-token"),
        new("Bfl", "bfl", "BFL_API_KEY", "bfl-api-key"),
    ];

    /// <summary>The fleet's circuit breakers (one per provider plus the shared file download), in display order.</summary>
    public static readonly string[] Breakers = ["replicate", "supabase", "elevenlabs", "synclabs", "huggingface", "bfl", "file-download"];
}
