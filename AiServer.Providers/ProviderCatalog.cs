#if AISERVER_APPHOST
namespace AiServer.AppHost.Providers;
#else
namespace AiServer.Providers;
#endif

/// <summary>
/// The one list of AiServer's providers: the clients' registration, the configuration sections, the AppHost's keys,
/// emulator wiring and breaker resources, and the job kinds' providers all read it.
/// </summary>
#if AISERVER_APPHOST
internal
#else
public
#endif
static class ProviderCatalog
{
    public static readonly ProviderDescriptor Replicate = new("replicate", "Replicate", "externalAPI", "replicate", "REPLICATE_API_TOKEN", null, "replicate-api-token", ["model-training", "image-generation"]);
    public static readonly ProviderDescriptor Supabase = new("supabase", "Supabase", "database", "supabase", "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_URL", "supabase-service-role-key", []);
    public static readonly ProviderDescriptor ElevenLabs = new("elevenlabs", "ElevenLabs", "externalAPI", "elevenlabs", "ELEVENLABS_API_KEY", null, "elevenlabs-api-key", ["speech", "voice-clone"]);
    public static readonly ProviderDescriptor SyncLabs = new("synclabs", "SyncLabs", "externalAPI", "synclabs", "SYNC_LABS_API_KEY", null, "sync-labs-api-key", ["lip-sync"]);
    public static readonly ProviderDescriptor HuggingFace = new("huggingface", "HuggingFace", "externalAPI", "huggingface", "HF_TOKEN", null, "hf-token", ["image-caption"]);
    public static readonly ProviderDescriptor Bfl = new("bfl", "Bfl", "externalAPI", "bfl", "BFL_API_KEY", null, "bfl-api-key", ["model-training", "image-generation"]);

    /// <summary>Every provider, in display order.</summary>
    public static readonly IReadOnlyList<ProviderDescriptor> All = [Replicate, Supabase, ElevenLabs, SyncLabs, HuggingFace, Bfl];

    /// <summary>The breaker of downloads from user-supplied URLs (not a provider, but a breaker of the fleet).</summary>
    public const string FileDownloadBreaker = "file-download";

    /// <summary>The fleet's circuit breakers: one per provider plus <see cref="FileDownloadBreaker"/>, in display order.</summary>
    public static readonly IReadOnlyList<string> Breakers = [.. All.Select(p => p.Name), FileDownloadBreaker];

    /// <summary>The provider called <paramref name="name"/>, or null.</summary>
    public static ProviderDescriptor? Find(string name) => All.FirstOrDefault(p => p.Name == name);

    /// <summary>The providers that run <paramref name="kind"/>, the default first.</summary>
    public static IReadOnlyList<string> ProvidersOf(string kind) => [.. All.Where(p => p.JobKinds.Contains(kind)).Select(p => p.Name)];
}
