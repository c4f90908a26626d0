using System.Text.Json.Nodes;

namespace AiServer.ProviderEmulator.Infrastructure;

/// <summary>Reads the requested <see cref="JobOutcome"/> from a create request.</summary>
internal static class JobOutcomes
{
    public const string Header = "X-Emulator-Outcome";

    public static JobOutcome From(HttpRequest request, JsonNode? body)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers[Header].ToString();
        if (Parse(header) is { } fromHeader)
        {
            return fromHeader;
        }

        foreach (var name in new[] { "failed", "fail", "canceled", "moderated", "rejected" })
        {
            if (ProviderJson.ContainsText(body, "emulator:" + name))
            {
                return Parse(name)!.Value;
            }
        }

        return JobOutcome.Succeeded;
    }

    private static JobOutcome? Parse(string value) => value.Trim().ToLowerInvariant() switch
    {
        "failed" or "fail" or "error" => JobOutcome.Failed,
        "canceled" or "cancelled" => JobOutcome.Canceled,
        "moderated" => JobOutcome.Moderated,
        "rejected" => JobOutcome.Rejected,
        "succeeded" or "success" => JobOutcome.Succeeded,
        _ => null,
    };
}
