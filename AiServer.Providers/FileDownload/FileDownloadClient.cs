using System.Net;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace AiServer.Providers.FileDownload;

/// <summary>
/// Downloads a URL to a file through the <c>file-download</c> pipeline: every hop (the URL and each redirect, followed
/// here, never automatically) passes the <see cref="SsrfGuard"/> first, the content type must be allowed, the body is
/// streamed to a temporary file beside the destination and stopped at the size limit, and the file only appears when
/// the whole body arrived: on any failure nothing is left on disk.
/// </summary>
internal sealed class FileDownloadClient(IHttpClientFactory factory, IOptionsMonitor<FileDownloadOptions> options, ILogger<FileDownloadClient> logger)
{
    private const string Provider = ProviderNames.FileDownload;

    /// <summary>Downloads <paramref name="url"/> to <paramref name="destinationPath"/>.</summary>
    /// <param name="url">An http or https URL.</param>
    /// <param name="destinationPath">The file to create or replace.</param>
    /// <param name="maxBytes">A lower size limit for this call; null: <see cref="FileDownloadOptions.MaxBytes"/>.</param>
    /// <param name="allowedContentTypes">The content types for this call; null: the configured ones.</param>
    /// <param name="operation">The operation name for logs, traces and metrics.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    public async Task<FileDownloadResult> DownloadAsync(
        Uri url,
        string destinationPath,
        long? maxBytes = null,
        IReadOnlyList<string>? allowedContentTypes = null,
        string operation = "download-file",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentException.ThrowIfNullOrEmpty(destinationPath);
        var settings = options.CurrentValue;
        var limit = Math.Min(maxBytes ?? settings.MaxBytes, settings.MaxBytes);
        var types = allowedContentTypes ?? settings.EffectiveContentTypes;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.DownloadTimeout);
        var temporary = destinationPath + ".part-" + Guid.NewGuid().ToString("N");
        // Opened first: a missing directory or a denied path fails before any request, as a local error.
        var file = Storage(temporary, "create", () => new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true));
        try
        {
            var current = url;
            for (var hop = 0; ; hop++)
            {
                // The host is resolved and checked by SsrfCheckHandler, outside the resilience pipeline.
                CheckScheme(current, operation);
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                request.Options.Set(FleetHttpRequestOptions.OperationKey, operation);
                using var response = await SendAsync(request, operation, cancellationToken, timeout.Token).ConfigureAwait(false);
                if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
                {
                    if (hop >= settings.MaxRedirects)
                    {
                        throw Refused(operation, FileDownloadErrors.TooManyRedirects, $"More than {settings.MaxRedirects} redirects.");
                    }

                    current = location.IsAbsoluteUri ? location : new Uri(current, location);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new ProviderException(Provider, operation, (int)response.StatusCode, null, $"The server answered HTTP {(int)response.StatusCode}.");
                }

                var contentType = response.Content.Headers.ContentType?.MediaType ?? "application/octet-stream";
                if (!IsAllowed(contentType, types))
                {
                    throw Refused(operation, FileDownloadErrors.ContentTypeRefused, $"The content type '{contentType}' is not allowed.");
                }

                if (response.Content.Headers.ContentLength is { } declared && declared > limit)
                {
                    throw Refused(operation, FileDownloadErrors.TooLarge, $"The body is {declared} bytes; the limit is {limit}.");
                }

                long written;
                try
                {
                    written = await CopyAsync(response, file, temporary, limit, operation, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new ProviderUnavailableException(Provider, operation, $"The download did not finish within {settings.DownloadTimeout}.", false, null, ex);
                }
                catch (IOException ex) when (ex is not FileDownloadStorageException)
                {
                    // Reading the body failed (local write errors are FileDownloadStorageExceptions).
                    throw new ProviderUnavailableException(Provider, operation, "The download broke off.", false, null, ex);
                }

                await file.DisposeAsync().ConfigureAwait(false);
                Storage(destinationPath, "move into place", () => File.Move(temporary, destinationPath, overwrite: true));
                ProviderLog.Downloaded(logger, written, contentType, current.Host);
                return new FileDownloadResult(destinationPath, written, contentType, current);
            }
        }
        finally
        {
            await CleanUpAsync(file, temporary).ConfigureAwait(false);
        }
    }

    /// <summary>Closes and removes the temporary file; a failure here must not hide the error that brought us here.</summary>
    private async Task CleanUpAsync(FileStream file, string temporary)
    {
        try
        {
            await file.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ProviderLog.CleanupFailed(logger, ex.GetType().Name);
        }

        try
        {
            File.Delete(temporary);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ProviderLog.CleanupFailed(logger, ex.GetType().Name);
        }
    }

    /// <summary>Runs a local file operation; its I/O errors become <see cref="FileDownloadStorageException"/>s.</summary>
    private static T Storage<T>(string path, string what, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && ex is not FileDownloadStorageException)
        {
            throw new FileDownloadStorageException(path, $"Could not {what} the local file '{path}': {ex.Message}", ex);
        }
    }

    private static void Storage(string path, string what, Action action) => Storage(path, what, () =>
    {
        action();
        return true;
    });

    private static void CheckScheme(Uri uri, string operation)
    {
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            throw Refused(operation, FileDownloadErrors.SchemeRefused, $"Only http and https URLs are fetched, not '{uri.Scheme}'.");
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string operation, CancellationToken callerToken, CancellationToken token)
    {
        try
        {
            return await factory.CreateClient(Provider).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
        }
        catch (SsrfRefusedException ex)
        {
            ProviderLog.DownloadRefused(logger, ex.ProviderMessage);
            throw new ProviderException(Provider, operation, null, ex.ErrorCode, ex.ProviderMessage, ex);
        }
        catch (CircuitBreakerRejectedException ex)
        {
            throw new ProviderUnavailableException(Provider, operation, ex.Message, true, ex.HasRetryAfter ? ex.RetryAfter : null, ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new ProviderUnavailableException(Provider, operation, $"The server did not answer within {ex.Timeout}.", false, null, ex);
        }
        catch (HttpRequestException ex)
        {
            // The connect callback re-checks the address; its (rare) refusal surfaces here.
            if (ex.InnerException is SsrfRefusedException refused)
            {
                throw new ProviderException(Provider, operation, null, refused.ErrorCode, refused.ProviderMessage, ex);
            }

            throw new ProviderUnavailableException(Provider, operation, $"The connection failed ({ex.HttpRequestError}).", false, null, ex);
        }
        catch (OperationCanceledException ex) when (!callerToken.IsCancellationRequested)
        {
            throw new ProviderUnavailableException(Provider, operation, "The download timed out.", false, null, ex);
        }
    }

    private static async Task<long> CopyAsync(HttpResponseMessage response, FileStream file, string path, long limit, string operation, CancellationToken cancellationToken)
    {
        await using var source = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[64 * 1024];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > limit)
            {
                throw Refused(operation, FileDownloadErrors.TooLarge, $"The body exceeded the limit of {limit} bytes.");
            }

            await WriteAsync(file, path, buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }

        await WriteAsync(file, path, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        return total;
    }

    /// <summary>Writes (or, for an empty chunk, flushes); a disk error (full, removed, denied) is a local error, not the server's.</summary>
    private static async Task WriteAsync(FileStream file, string path, ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        try
        {
            if (chunk.IsEmpty)
            {
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await file.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FileDownloadStorageException(path, $"Could not write the local file '{path}': {ex.Message}", ex);
        }
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static bool IsAllowed(string contentType, IReadOnlyList<string> allowed) =>
        allowed.Any(pattern => pattern.EndsWith("/*", StringComparison.Ordinal)
            ? contentType.StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase)
            : string.Equals(pattern, contentType, StringComparison.OrdinalIgnoreCase));

    private static ProviderException Refused(string operation, string code, string message) =>
        new(Provider, operation, null, code, message);
}
