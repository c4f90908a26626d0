using Microsoft.Extensions.Http;

namespace AiServer.ServiceDefaults.ServiceDiscovery;

/// <summary>
/// Appends <see cref="ServiceDiscoveryHandler"/> to every HttpClient after all other handlers, so it runs innermost:
/// inside the resilience handler, once per attempt (as Aspire orders AddStandardResilienceHandler and AddServiceDiscovery).
/// </summary>
internal sealed class ServiceDiscoveryHandlerFilter(ServiceEndpointResolver resolver) : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        next(builder);
        builder.AdditionalHandlers.Add(new ServiceDiscoveryHandler(resolver));
    };
}
