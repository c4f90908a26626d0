namespace AiServer.Providers;

/// <summary>The configuration section of each provider (<c>Providers:{Section}</c>), from <see cref="ProviderCatalog"/>.</summary>
internal static class ProviderSections
{
    public const string Root = "Providers";

    public static string Of(string provider) =>
        provider == ProviderNames.FileDownload ? "FileDownload" : ProviderCatalog.Find(provider)?.Section ?? provider;
}
