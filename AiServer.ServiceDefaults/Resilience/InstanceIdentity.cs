using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace AiServer.ServiceDefaults.Resilience;

/// <summary>
/// Who this instance is in the fleet: <c>service.instance.id</c> from <c>OTEL_RESOURCE_ATTRIBUTES</c> (set by the
/// AppHost per replica), else machine name and process id.
/// </summary>
internal sealed class InstanceIdentity
{
    public InstanceIdentity(string id) => Id = id;

    public string Id { get; }

    public static InstanceIdentity FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new(Parse(configuration["OTEL_RESOURCE_ATTRIBUTES"])
            ?? string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}-{Environment.ProcessId}"));
    }

    internal static string? Parse(string? attributes)
    {
        if (string.IsNullOrWhiteSpace(attributes))
        {
            return null;
        }

        foreach (var pair in attributes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && pair.AsSpan(0, eq).Trim().SequenceEqual("service.instance.id"))
            {
                var value = Uri.UnescapeDataString(pair[(eq + 1)..].Trim());
                return value.Length > 0 ? value : null;
            }
        }

        return null;
    }
}
