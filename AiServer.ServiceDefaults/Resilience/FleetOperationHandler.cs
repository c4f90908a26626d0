using Polly;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// Outermost handler of a provider client: gives the call its operation name (<see cref="FleetHttpRequestOptions.OperationKey"/>,
/// else breaker name and method) as the <see cref="ResilienceContext.OperationKey"/> the resilience handler then uses,
/// so retries show it in logs, traces and metrics. A context the caller set on the request is left alone.
/// </summary>
internal sealed class FleetOperationHandler(string breakerName) : DelegatingHandler
{
    private readonly string _operationPrefix = breakerName + " ";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.GetResilienceContext() is not null)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var operation = request.Options.TryGetValue(FleetHttpRequestOptions.OperationKey, out var named) && !string.IsNullOrEmpty(named)
            ? named
            : _operationPrefix + request.Method.Method;
        var context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
        request.SetResilienceContext(context);
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            request.SetResilienceContext(null);
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
