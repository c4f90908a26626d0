#if AISERVER_APPHOST
namespace AiServer.AppHost.Providers;
#else
namespace AiServer.Providers;
#endif

/// <summary>
/// One external provider as every part of AiServer knows it. Dependency-free on purpose: the AppHost compiles this file
/// and <see cref="ProviderCatalog"/> in (linked), so the services and the AppHost read one list.
/// </summary>
/// <param name="Name">The provider and breaker name (<c>replicate</c>), also its metric label.</param>
/// <param name="Section">The configuration section under <c>Providers:</c> (<c>Replicate</c>).</param>
/// <param name="RetryPreset">The retry preset of its calls: <c>externalAPI</c> or <c>database</c>.</param>
/// <param name="EmulatorPrefix">The emulator's path prefix for it (<c>replicate</c>).</param>
/// <param name="SeedKeyVariable">The seeds' environment variable of its key (<c>REPLICATE_API_TOKEN</c>).</param>
/// <param name="SeedUrlVariable">The seeds' environment variable of its base URL, where there is one (<c>SUPABASE_URL</c>).</param>
/// <param name="KeyParameter">The AppHost's secret parameter of its key (<c>replicate-api-token</c>).</param>
/// <param name="JobKinds">The job kinds it can run, in the order a kind's providers are tried.</param>
#if AISERVER_APPHOST
internal
#else
public
#endif
sealed record ProviderDescriptor(
    string Name,
    string Section,
    string RetryPreset,
    string EmulatorPrefix,
    string SeedKeyVariable,
    string? SeedUrlVariable,
    string KeyParameter,
    IReadOnlyList<string> JobKinds);
