using System.Globalization;
using AiServer.ProviderEmulator.Faults;
using AiServer.ProviderEmulator.Options;
using Microsoft.Extensions.Options;

namespace AiServer.ProviderEmulator.Infrastructure;

/// <summary>
/// Runs before every provider handler: records the request, applies the first matching fault, then the optional
/// per-provider rate limit. Control and health paths pass straight through.
/// </summary>
internal sealed class EmulatorMiddleware(
    RequestDelegate next,
    FaultStore faults,
    RequestJournal journal,
    ProviderRateLimiter rateLimiter,
    TimeProvider time,
    IOptions<EmulatorOptions> options,
    ILogger<EmulatorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (ProviderIds.Resolve(context.Request.Path) is not var (provider, rest))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var request = context.Request;
        var sequence = journal.NextSequence();
        var receivedAt = time.GetUtcNow();
        var headers = RequestJournal.Redact(request.Headers);
        var query = RequestJournal.RedactQuery(request);
        var bodySize = await MeasureBodyAsync(request, context.RequestAborted).ConfigureAwait(false);
        FaultRule? fault = null;
        try
        {
            fault = faults.Decide(provider, request.Method, rest);
            if (fault is not null)
            {
                EmulatorLog.FaultApplied(logger, fault.Id, fault.KindName, provider, request.Method, rest);
                if (await ApplyFaultAsync(context, provider, fault).ConfigureAwait(false))
                {
                    return;
                }
            }

            if (rateLimiter.TryAcquire(provider, out var remaining) is { } resetIn)
            {
                await ProviderErrors.RateLimited(provider, context.Response, resetIn).ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            if (provider == ProviderIds.Replicate)
            {
                // Replicate sends its bucket on every response (lower-case, no x- prefix).
                var left = remaining == int.MaxValue ? (request.Method == HttpMethods.Post ? 599 : 2999) : remaining;
                context.Response.Headers["ratelimit-remaining"] = left.ToString(CultureInfo.InvariantCulture);
                context.Response.Headers["ratelimit-reset"] = "1";
            }

            await next(context).ConfigureAwait(false);
        }
        finally
        {
            journal.Add(new RecordedRequest(
                sequence,
                provider,
                request.Method,
                request.Path.Value ?? "/",
                query,
                headers,
                bodySize,
                receivedAt,
                context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 0 : context.Response.StatusCode,
                fault?.Id,
                fault?.KindName));
        }
    }

    /// <summary>Returns true when the fault produced the whole response (the provider handler must not run).</summary>
    private async Task<bool> ApplyFaultAsync(HttpContext context, string provider, FaultRule fault)
    {
        var aborted = context.RequestAborted;
        try
        {
            if (fault.Latency > TimeSpan.Zero)
            {
                await Task.Delay(fault.Latency, time, aborted).ConfigureAwait(false);
            }

            switch (fault.Kind)
            {
                case FaultKind.Latency:
                    return false;
                case FaultKind.Error:
                    await ProviderErrors.Status(provider, fault.StatusCode).ExecuteAsync(context).ConfigureAwait(false);
                    return true;
                case FaultKind.RateLimit:
                    await ProviderErrors.RateLimited(provider, context.Response, fault.RetryAfter).ExecuteAsync(context).ConfigureAwait(false);
                    return true;
                case FaultKind.Reset:
                    context.Abort();
                    return true;
                case FaultKind.Hang:
                    await Task.Delay(options.Value.MaxHang, time, aborted).ConfigureAwait(false);
                    context.Response.StatusCode = StatusCodes.Status504GatewayTimeout;
                    return true;
                default:
                    return false;
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return true; // the client gave up while we delayed or hung
        }
    }

    private static async Task<long> MeasureBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length)
        {
            return length;
        }

        if (!request.Body.CanRead || HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            return 0;
        }

        // Chunked body: buffer it so the handler can still read it after we counted.
        request.EnableBuffering();
        try
        {
            var buffer = new byte[16 * 1024];
            long total = 0;
            int read;
            while ((read = await request.Body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            request.Body.Position = 0;
            return total;
        }
        catch (IOException)
        {
            return -1;
        }
        catch (OperationCanceledException)
        {
            return -1;
        }
    }
}
