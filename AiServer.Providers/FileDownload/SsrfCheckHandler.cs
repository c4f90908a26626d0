namespace AiServer.Providers.FileDownload;

/// <summary>
/// The outermost handler of the <c>file-download</c> client, in front of the fleet resilience handler: resolves and
/// checks the request's host before the breaker, retries or timeouts see the request, so a refused URL is neither
/// retried nor counted against the fleet-wide breaker (the fleet handler counts every exception as a failure). The
/// checked addresses ride along on the request; <see cref="SsrfGuard.ConnectAsync"/> connects to exactly those, so
/// there is no second DNS answer that could rebind the host to a forbidden address.
/// </summary>
internal sealed class SsrfCheckHandler(SsrfGuard guard) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri;
        if (uri is null || !uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new SsrfRefusedException(FileDownloadErrors.SchemeRefused, $"Only http and https URLs are fetched, not '{uri?.ToString() ?? "(none)"}'.");
        }

        var addresses = await guard.ResolveAllowedAsync(uri.IdnHost, uri.Port, cancellationToken).ConfigureAwait(false);
        request.Options.Set(SsrfGuard.VettedKey, new SsrfGuard.Vetted(SsrfGuard.Bare(uri.IdnHost), uri.Port, addresses));
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
