using Microsoft.Extensions.Options;

namespace AiServer.ServiceDefaults.Health;

/// <summary>Cross-field rules of the health-check options: the unhealthy threshold must be the stricter one.</summary>
internal sealed class HealthOptionsValidator : IValidateOptions<MemoryHealthOptions>, IValidateOptions<FileSystemHealthOptions>
{
    public ValidateOptionsResult Validate(string? name, MemoryHealthOptions options) =>
        options.UnhealthyResidentBytes < options.DegradedResidentBytes
            ? ValidateOptionsResult.Fail(
                $"{MemoryHealthOptions.SectionName}:UnhealthyResidentBytes ({options.UnhealthyResidentBytes}) must be at least " +
                $"{MemoryHealthOptions.SectionName}:DegradedResidentBytes ({options.DegradedResidentBytes}).")
            : ValidateOptionsResult.Success;

    public ValidateOptionsResult Validate(string? name, FileSystemHealthOptions options) =>
        options.UnhealthyFreeBytes > options.DegradedFreeBytes
            ? ValidateOptionsResult.Fail(
                $"{FileSystemHealthOptions.SectionName}:UnhealthyFreeBytes ({options.UnhealthyFreeBytes}) must not exceed " +
                $"{FileSystemHealthOptions.SectionName}:DegradedFreeBytes ({options.DegradedFreeBytes}).")
            : ValidateOptionsResult.Success;
}
