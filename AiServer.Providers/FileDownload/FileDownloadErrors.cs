namespace AiServer.Providers.FileDownload;

/// <summary>The <see cref="ProviderException.ErrorCode"/>s of refused or failed downloads.</summary>
public static class FileDownloadErrors
{
    /// <summary>The URL (or a redirect) leads to a loopback, link-local, private, multicast or unspecified address.</summary>
    public const string AddressRefused = "address_refused";

    /// <summary>Only http and https URLs are fetched.</summary>
    public const string SchemeRefused = "scheme_refused";

    /// <summary>The body is larger than the limit.</summary>
    public const string TooLarge = "too_large";

    /// <summary>The content type is not on the allow-list.</summary>
    public const string ContentTypeRefused = "content_type_refused";

    /// <summary>More redirects than allowed.</summary>
    public const string TooManyRedirects = "too_many_redirects";

    /// <summary>The host name could not be resolved.</summary>
    public const string NameNotResolved = "name_not_resolved";
}
