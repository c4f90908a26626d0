using AiServer.AppHost.Hosting;
using Microsoft.Extensions.Configuration;

namespace AiServer.AppHost;

/// <summary>
/// Points every provider that has no real key at the local provider emulator (the embedded default); a provider with a
/// key (<c>Providers:{Name}:ApiKey</c> or the seeds' variable, e.g. <c>REPLICATE_API_TOKEN</c>) keeps its real base URL.
/// </summary>
public static class ProviderEmulatorExtensions
{
    /// <summary>The providers: configuration name, emulator path prefix, and the seeds' key variable.</summary>
    internal static readonly (string Name, string Prefix, string SeedKeyVariable)[] Providers =
    [
        ("Replicate", "replicate", "REPLICATE_API_TOKEN"),
        ("Supabase", "supabase", "SUPABASE_SERVICE_ROLE_KEY"),
        ("ElevenLabs", "elevenlabs", "ELEVENLABS_API_KEY"),
        ("SyncLabs", "synclabs", "SYNC_LABS_API_KEY"),
        ("HuggingFace", "huggingface", "HF_TOKEN"),
        ("Bfl", "bfl", "BFL_API_KEY"),
    ];

    /// <summary>The providers with no real key in the AppHost's configuration.</summary>
    public static IReadOnlyList<string> ProvidersWithoutKey(IConfiguration configuration) =>
        Providers.Where(p => string.IsNullOrWhiteSpace(configuration[$"Providers:{p.Name}:ApiKey"]) && string.IsNullOrWhiteSpace(configuration[p.SeedKeyVariable]))
            .Select(p => p.Name)
            .ToList();

    /// <summary>Injects <c>Providers__{Name}__BaseUrl</c> and a placeholder key for every provider without a real key.</summary>
    public static IResourceBuilder<ProjectResource> WithProviderEmulator(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<ProjectResource> emulator)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(emulator);
        var emulated = ProvidersWithoutKey(builder.ApplicationBuilder.Configuration).ToHashSet();
        builder.Resource.EnvironmentCallbacks.Add(env =>
        {
            var baseUrl = emulator.Resource.HttpEndpoints[0].ToString().TrimEnd('/');
            foreach (var (name, prefix, _) in Providers.Where(p => emulated.Contains(p.Name)))
            {
                env[$"Providers__{name}__BaseUrl"] = $"{baseUrl}/{prefix}";
                env[$"Providers__{name}__ApiKey"] = "emulator-key";
            }

            if (emulated.Contains("HuggingFace"))
            {
                // Hugging Face has three hosts: the inference router, the Hub, and the captioning Gradio Space.
                env["Providers__HuggingFace__BaseUrl"] = $"{baseUrl}/huggingface/hf-inference";
                env["Providers__HuggingFace__HubUrl"] = $"{baseUrl}/huggingface";
                env["Providers__HuggingFace__SpaceUrl"] = $"{baseUrl}/huggingface/spaces/fancyfeast/joy-caption-alpha-two";
            }

            // Outputs of emulated jobs are served by the emulator on loopback; let downloads reach it.
            // host:port, so downloads may reach the emulator and no other loopback port (Redis, the other services).
            env["Providers__FileDownload__AllowedHosts__0"] = new Uri(baseUrl).Authority;
        });
        return builder;
    }
}
