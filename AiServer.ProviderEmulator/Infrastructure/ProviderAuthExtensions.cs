namespace AiServer.ProviderEmulator.Infrastructure;

/// <summary>Route-group helper for <see cref="ProviderAuthFilter"/>.</summary>
internal static class ProviderAuthExtensions
{
    public static TBuilder RequireProviderKey<TBuilder>(this TBuilder builder, string provider)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new ProviderAuthFilter(provider));
}
