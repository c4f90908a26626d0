namespace AiServer.ProviderEmulator.Infrastructure;

/// <summary>The path prefixes the emulator serves; each is also the provider's name in faults and the request journal.</summary>
internal static class ProviderIds
{
    public const string Replicate = "replicate";
    public const string ElevenLabs = "elevenlabs";
    public const string SyncLabs = "synclabs";
    public const string HuggingFace = "huggingface";
    public const string Bfl = "bfl";
    public const string Supabase = "supabase";
    public const string Files = "files";

    public static readonly IReadOnlyList<string> All = [Replicate, ElevenLabs, SyncLabs, HuggingFace, Bfl, Supabase, Files];

    /// <summary>Splits <c>/replicate/v1/predictions</c> into (<c>replicate</c>, <c>/v1/predictions</c>); null when not a provider path.</summary>
    public static (string Provider, string Path)? Resolve(PathString path)
    {
        var value = path.Value;
        if (string.IsNullOrEmpty(value) || value.Length < 2)
        {
            return null;
        }

        var end = value.IndexOf('/', 1);
        var first = end < 0 ? value[1..] : value[1..end];
        foreach (var provider in All)
        {
            if (string.Equals(provider, first, StringComparison.OrdinalIgnoreCase))
            {
                return (provider, end < 0 ? "/" : value[end..]);
            }
        }

        return null;
    }
}
