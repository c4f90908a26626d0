using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Logging;
using Polly.Timeout;

namespace AiServer.Providers.Http;

/// <summary>
/// Sends one provider call through the provider's named <see cref="HttpClient"/> (and so its fleet resilience
/// pipeline) under an operation name, and turns failures into <see cref="ProviderException"/>s that keep the
/// provider's status, code and message, scrubbed of the configured key.
/// </summary>
internal sealed class ProviderTransport<TOptions>(
    IHttpClientFactory factory,
    string provider,
    Func<TOptions> options,
    Func<int, JsonNode?, string, ProviderError> parseError,
    ILogger logger)
    where TOptions : ProviderClientOptions
{
    public string Provider => provider;

    public HttpClient Client => factory.CreateClient(provider);

    /// <summary>Throws when the provider has no key configured.</summary>
    public TOptions RequireConfigured(string operation)
    {
        var current = options();
        return current.IsConfigured
            ? current
            : throw new ProviderException(provider, operation, null, "not_configured", $"No API key is configured (Providers:{ProviderSections.Of(provider)}:ApiKey).");
    }

    /// <summary>Sends and returns a successful response; error statuses throw.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string operation, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = await SendRawAsync(request, operation, cancellationToken, completion).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ToExceptionAsync(response, operation, cancellationToken).ConfigureAwait(false);
            }
        }

        return response;
    }

    /// <summary>Sends and returns any response (the caller inspects the status); transport failures throw.</summary>
    public async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, string operation, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(FleetHttpRequestOptions.OperationKey, operation);
        try
        {
            return await Client.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (CircuitBreakerRejectedException ex)
        {
            ProviderLog.ProviderUnavailable(logger, provider, operation, ex.Reason.ToString());
            throw new ProviderUnavailableException(provider, operation, ex.Message, true, ex.HasRetryAfter ? ex.RetryAfter : null, ex);
        }
        catch (TimeoutRejectedException ex)
        {
            ProviderLog.ProviderUnavailable(logger, provider, operation, "timeout");
            throw new ProviderUnavailableException(provider, operation, $"The call timed out after {ex.Timeout}.", false, null, ex);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConfigurationLimitExceeded)
        {
            // The body outgrew MaxResponseBytes while HttpClient buffered it (after the pipeline: not a breaker failure).
            throw new ProviderException(provider, operation, null, "response_too_large", $"The response exceeded Providers:{ProviderSections.Of(provider)}:MaxResponseBytes ({Client.MaxResponseContentBufferSize} bytes).", ex);
        }
        catch (HttpRequestException ex)
        {
            ProviderLog.ProviderUnavailable(logger, provider, operation, ex.HttpRequestError.ToString());
            throw new ProviderUnavailableException(provider, operation, $"The connection failed ({ex.HttpRequestError}).", false, null, ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            ProviderLog.ProviderUnavailable(logger, provider, operation, "timeout");
            throw new ProviderUnavailableException(provider, operation, "The call timed out.", false, null, ex);
        }
    }

    /// <summary>Sends and deserializes a successful JSON response.</summary>
    public async Task<T> SendJsonAsync<T>(HttpRequestMessage request, string operation, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(request, operation, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync<T>(response, operation, json, cancellationToken).ConfigureAwait(false);
    }

    public async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, string operation, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(json, cancellationToken).ConfigureAwait(false)
                ?? throw new ProviderException(provider, operation, (int)response.StatusCode, "invalid_response", "The provider returned an empty body.");
        }
        catch (JsonException ex)
        {
            throw new ProviderException(provider, operation, (int)response.StatusCode, "invalid_response", "The provider returned a body that is not the expected JSON: " + ex.Message, ex);
        }
    }

    /// <summary>Builds the typed exception for an error response.</summary>
    public async Task<ProviderException> ToExceptionAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken) =>
        (await ReadErrorAsync(response, operation, cancellationToken).ConfigureAwait(false)).Exception;

    /// <summary>The parsed provider error and the typed exception for an error response.</summary>
    public async Task<(ProviderError Error, ProviderException Exception)> ReadErrorAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var status = (int)response.StatusCode;
        var text = await ReadLimitedAsync(response.Content, 16 * 1024, cancellationToken).ConfigureAwait(false);
        var error = parseError(status, ProviderJson.TryParse(text), text);
        var message = Scrub(string.IsNullOrWhiteSpace(error.Message) ? (response.ReasonPhrase ?? "HTTP " + status) : error.Message);
        ProviderLog.ProviderError(logger, provider, operation, status, error.Code);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return (error, new ProviderRateLimitedException(provider, operation, error.Code, message, RetryAfter(response)));
        }

        return (error, ExceptionFactory?.Invoke(status, error with { Message = message }, operation) ?? new ProviderException(provider, operation, status, error.Code, message));
    }

    /// <summary>Hook for providers with a richer exception (Supabase).</summary>
    public Func<int, ProviderError, string, ProviderException>? ExceptionFactory { get; init; }

    /// <summary>Removes the configured key from provider text, so an echo of it never reaches logs or error bodies.</summary>
    public string Scrub(string text)
    {
        var key = options().ApiKey;
        var scrubbed = string.IsNullOrEmpty(key) || key.Length < 4 ? text : text.Replace(key, "***", StringComparison.Ordinal);
        return scrubbed.Length > 1000 ? scrubbed[..1000] + "..." : scrubbed;
    }

    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Headers.RetryAfter is { Delta: { } delta })
        {
            return delta;
        }

        return response.Headers.RetryAfter is { Date: { } date } && response.Headers.Date is { } now ? date - now : null;
    }

    private static async Task<string> ReadLimitedAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[limit];
            var total = 0;
            int read;
            while (total < limit && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (HttpRequestException)
        {
            return string.Empty;
        }
    }
}
