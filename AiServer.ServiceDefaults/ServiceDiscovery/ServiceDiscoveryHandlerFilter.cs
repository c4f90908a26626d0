using Microsoft.Extensions.Http;

namespace AiServer.ServiceDefaults.ServiceDiscovery;

/// <summary>
/// Appends <see cref="ServiceDiscoveryHandler"/> to every HttpClient after all other handlers, so it runs innermost:
/// inside the resilience handler, once per attempt (as Aspire orders AddStandardResilienceHandler and AddServiceDiscovery).
/// </summary>
internal sealed class ServiceDiscoveryHandlerFilter(ServiceEndpointResolver resolver) : IHttpMessageHandlerBuilderFilter
{
    /// <summary>
    /// Clients that fetch user-supplied URLs: no service-name rewriting there, or a user URL naming an internal service
    /// (<c>http://api/...</c>) would be sent to it after the SSRF check passed on the name.
    /// </summary>
    internal static readonly HashSet<string> ExcludedClients = new(StringComparer.Ordinal) { "file-download" };

    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        next(builder);
        if (builder.Name is null || !ExcludedClients.Contains(builder.Name))
        {
            builder.AdditionalHandlers.Add(new ServiceDiscoveryHandler(resolver));
        }
    };
}
