using Microsoft.Extensions.Configuration;

namespace AiServer.AppHost.Providers;

/// <summary>One provider: its configuration section (<c>Providers:{Name}</c>), emulator prefix, seed key variable and key parameter.</summary>
internal sealed record ProviderEntry(string Name, string Prefix, string SeedKeyVariable, string KeyParameter)
{
    /// <summary>The real key from the AppHost's configuration (<c>Providers:{Name}:ApiKey</c> or the seed variable), if any.</summary>
    public string? KeyFrom(IConfiguration configuration)
    {
        var key = configuration[$"Providers:{Name}:ApiKey"];
        if (string.IsNullOrWhiteSpace(key))
        {
            key = configuration[SeedKeyVariable];
        }

        return string.IsNullOrWhiteSpace(key) ? null : key;
    }
}
