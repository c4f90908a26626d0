using System.Security.Cryptography;
using System.Text;
using AiServer.ProviderEmulator.Options;
using Microsoft.Extensions.Options;

namespace AiServer.ProviderEmulator.Infrastructure;

/// <summary>Checks the provider's own credential header and answers with the provider's own 401/403 body.</summary>
internal sealed class ProviderAuthFilter(string provider) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var presented = ReadKey(provider, http.Request);
        if (string.IsNullOrWhiteSpace(presented))
        {
            return ProviderErrors.Unauthorized(provider, missing: true);
        }

        var options = http.RequestServices.GetRequiredService<IOptions<EmulatorOptions>>().Value;
        if (options.ForProvider(provider)?.ApiKey is { } expected && !FixedTimeEquals(expected, presented))
        {
            return ProviderErrors.Unauthorized(provider, missing: false);
        }

        return await next(context).ConfigureAwait(false);
    }

    /// <summary>The credential as each provider carries it.</summary>
    public static string? ReadKey(string provider, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return provider switch
        {
            ProviderIds.Replicate => Bearer(request, "Bearer ") ?? Bearer(request, "Token "),
            ProviderIds.ElevenLabs => Header(request, "xi-api-key") ?? Bearer(request, "Bearer "),
            ProviderIds.SyncLabs => Header(request, "x-api-key"),
            ProviderIds.HuggingFace => Bearer(request, "Bearer "),
            ProviderIds.Bfl => Header(request, "x-key"),
            ProviderIds.Supabase => Header(request, "apikey") ?? (request.Query.TryGetValue("apikey", out var q) ? q.ToString() : null),
            _ => null,
        };
    }

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.ToString().Trim() : null;

    private static string? Bearer(HttpRequest request, string scheme)
    {
        var value = request.Headers.Authorization.ToString();
        return value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? value[scheme.Length..].Trim() : null;
    }

    private static bool FixedTimeEquals(string expected, string presented) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented));
}
