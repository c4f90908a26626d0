namespace AiServer.ProviderEmulator.Options;

/// <summary>Configuration of the provider emulator (section <c>Emulator</c>).</summary>
public sealed class EmulatorOptions
{
    public const string SectionName = "Emulator";

    /// <summary>How long an emulated asynchronous job takes from creation to its terminal state, unless a provider overrides it.</summary>
    public TimeSpan JobDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How many requests <c>/_emulator/requests</c> keeps (oldest dropped first).</summary>
    public int MaxRecordedRequests { get; set; } = 10_000;

    /// <summary>Upper bound of <c>/files/blob</c> sizes, so a typo cannot make the emulator stream terabytes.</summary>
    public long MaxFileSize { get; set; } = 1L << 30;

    /// <summary>Longest time a <c>hang</c> fault holds a request when the client never gives up.</summary>
    public TimeSpan MaxHang { get; set; } = TimeSpan.FromMinutes(5);

    public ReplicateOptions Replicate { get; set; } = new();

    public ElevenLabsOptions ElevenLabs { get; set; } = new();

    public SyncLabsOptions SyncLabs { get; set; } = new();

    public HuggingFaceOptions HuggingFace { get; set; } = new();

    public BflOptions Bfl { get; set; } = new();

    public SupabaseOptions Supabase { get; set; } = new();

    /// <summary>The options of one provider by its path prefix (<c>replicate</c>, <c>bfl</c>, ...); null for <c>files</c>.</summary>
    public ProviderOptions? ForProvider(string provider) => provider switch
    {
        "replicate" => Replicate,
        "elevenlabs" => ElevenLabs,
        "synclabs" => SyncLabs,
        "huggingface" => HuggingFace,
        "bfl" => Bfl,
        "supabase" => Supabase,
        _ => null,
    };

    /// <summary>The job duration of a provider: its override or the global default.</summary>
    public TimeSpan JobDurationFor(string provider) => ForProvider(provider)?.JobDuration ?? JobDuration;
}
