namespace AiServer.Providers;

/// <summary>The external services AiServer calls, as constants (the catalogue with everything else about them: <see cref="ProviderCatalog"/>); each name is also its circuit breaker's name.</summary>
public static class ProviderNames
{
    public const string Replicate = "replicate";
    public const string Supabase = "supabase";
    public const string ElevenLabs = "elevenlabs";
    public const string SyncLabs = "synclabs";
    public const string HuggingFace = "huggingface";
    public const string Bfl = "bfl";
    public const string FileDownload = "file-download";
}
