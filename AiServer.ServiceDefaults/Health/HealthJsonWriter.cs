using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.ServiceDefaults.Health;

/// <summary>
/// Writes a health report as the seeds' JSON: <c>{status, timestamp, checks:[{service, status, responseTime, details}]}</c>,
/// statuses in lower case (<c>healthy</c>, <c>degraded</c>, <c>unhealthy</c>) and <c>responseTime</c> in milliseconds.
/// </summary>
internal static class HealthJsonWriter
{
    private static readonly JsonWriterOptions s_options = new() { Indented = false };

    public static Task WriteDetailedAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.Body.WriteAsync(Render(report, context.RequestServices.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System)).AsTask();
    }

    public static Task WriteSummaryAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, s_options))
        {
            json.WriteStartObject();
            json.WriteString("status", StatusText(report.Status));
            json.WriteEndObject();
        }

        return context.Response.Body.WriteAsync(stream.ToArray()).AsTask();
    }

    internal static byte[] Render(HealthReport report, TimeProvider timeProvider)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, s_options))
        {
            json.WriteStartObject();
            json.WriteString("status", StatusText(report.Status));
            json.WriteString("timestamp", timeProvider.GetUtcNow());
            json.WriteNumber("totalResponseTime", Math.Round(report.TotalDuration.TotalMilliseconds, 2));
            json.WriteStartArray("checks");
            foreach (var (name, entry) in report.Entries)
            {
                json.WriteStartObject();
                json.WriteString("service", name);
                json.WriteString("status", StatusText(entry.Status));
                json.WriteNumber("responseTime", Math.Round(entry.Duration.TotalMilliseconds, 2));
                json.WriteStartObject("details");
                if (!string.IsNullOrEmpty(entry.Description))
                {
                    json.WriteString("message", entry.Description);
                }

                if (entry.Exception is not null)
                {
                    // The message only: stack traces and inner details stay in the logs.
                    json.WriteString("error", entry.Exception.Message);
                }

                foreach (var (key, value) in entry.Data)
                {
                    json.WritePropertyName(key);
                    JsonSerializer.Serialize(json, value, value?.GetType() ?? typeof(object));
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    internal static string StatusText(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
