namespace AiServer.ServiceDefaults.ServiceDiscovery;

/// <summary>
/// Rewrites each attempt's request URI to a resolved endpoint (innermost, so a retry may pick another replica). The
/// logical URI is kept in the request's options, because the resilience handler resends the same request object.
/// </summary>
internal sealed class ServiceDiscoveryHandler(ServiceEndpointResolver resolver) : DelegatingHandler
{
    internal static readonly HttpRequestOptionsKey<Uri> LogicalUriKey = new("AiServer.ServiceDiscovery.LogicalUri");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(LogicalUriKey, out var logical) && request.RequestUri is { IsAbsoluteUri: true } uri)
        {
            logical = uri;
            request.Options.Set(LogicalUriKey, uri);
        }

        if (logical is not null)
        {
            request.RequestUri = resolver.Resolve(logical);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
