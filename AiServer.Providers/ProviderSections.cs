namespace AiServer.Providers;

/// <summary>The configuration section of each provider (<c>Providers:{Name}</c>).</summary>
internal static class ProviderSections
{
    public const string Root = "Providers";

    public static string Of(string provider) => provider switch
    {
        ProviderNames.Replicate => "Replicate",
        ProviderNames.Supabase => "Supabase",
        ProviderNames.ElevenLabs => "ElevenLabs",
        ProviderNames.SyncLabs => "SyncLabs",
        ProviderNames.HuggingFace => "HuggingFace",
        ProviderNames.Bfl => "Bfl",
        ProviderNames.FileDownload => "FileDownload",
        _ => provider,
    };
}
