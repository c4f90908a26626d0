using Microsoft.Extensions.Options;

namespace AiServer.Providers.FileDownload;

/// <summary>Validates <see cref="FileDownloadOptions"/> at start; messages name the key.</summary>
internal sealed class FileDownloadOptionsValidator : IValidateOptions<FileDownloadOptions>
{
    public ValidateOptionsResult Validate(string? name, FileDownloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate(FileDownloadOptions.SectionName);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
