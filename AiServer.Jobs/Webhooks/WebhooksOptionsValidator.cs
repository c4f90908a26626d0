using Microsoft.Extensions.Options;

namespace AiServer.Jobs.Webhooks;

/// <summary><c>Webhooks:PublicBaseUrl</c> must be an absolute http(s) URL without credentials, query or fragment.</summary>
internal sealed class WebhooksOptionsValidator : IValidateOptions<WebhooksOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhooksOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PublicBaseUrl is { } url
            && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https") || url.UserInfo.Length > 0 || url.Query.Length > 0 || url.Fragment.Length > 0))
        {
            return ValidateOptionsResult.Fail("Webhooks:PublicBaseUrl must be an absolute http(s) URL without credentials, query or fragment (e.g. https://ai.example.com/).");
        }

        return ValidateOptionsResult.Success;
    }
}
