namespace AiServer.ServiceDefaults.ServiceDiscovery;

/// <summary>Rewrites each attempt's request URI to a resolved endpoint (innermost, so a retry may pick another replica).</summary>
internal sealed class ServiceDiscoveryHandler(ServiceEndpointResolver resolver) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { IsAbsoluteUri: true } uri)
        {
            request.RequestUri = resolver.Resolve(uri);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
