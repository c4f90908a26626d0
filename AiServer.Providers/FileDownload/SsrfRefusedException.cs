namespace AiServer.Providers.FileDownload;

/// <summary>
/// The SSRF guard refused a URL (scheme, forbidden address, unresolvable name). Thrown before the request reaches the
/// resilience pipeline; <see cref="FileDownloadClient"/> reports it as a <see cref="ProviderException"/> with the same
/// <see cref="ProviderException.ErrorCode"/>. Not transient: retrying cannot make the address allowed.
/// </summary>
internal sealed class SsrfRefusedException : ProviderException
{
    public SsrfRefusedException(string errorCode, string message, Exception? innerException = null)
        : base(ProviderNames.FileDownload, "ssrf-check", null, errorCode, message, innerException)
    {
    }

    public SsrfRefusedException()
        : this(FileDownloadErrors.AddressRefused, "The address is refused.")
    {
    }

    public SsrfRefusedException(string message)
        : this(FileDownloadErrors.AddressRefused, message)
    {
    }

    public SsrfRefusedException(string message, Exception innerException)
        : this(FileDownloadErrors.AddressRefused, message, innerException)
    {
    }
}
