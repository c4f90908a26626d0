using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AiServer.Benchmarks;

/// <summary>
/// The baseline of the job-submission benchmark: a bare minimal API on the same machine that reads a JSON body and
/// answers 202 with a small JSON object, without validation, Redis, auth, rate limiting or telemetry.
/// Usage: <c>AiServer.Benchmarks bare-api http://127.0.0.1:PORT</c>.
/// </summary>
internal static class BareApi
{
    public static async Task RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(args.Length > 0 ? args[0] : "http://127.0.0.1:5099");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v1/jobs/{kind}", static async (string kind, HttpRequest request) =>
        {
            var body = await JsonNode.ParseAsync(request.Body).ConfigureAwait(false);
            return TypedResults.Json(new JsonObject { ["id"] = "job_" + Interlocked.Increment(ref s_counter), ["kind"] = kind, ["status"] = "queued", ["input"] = body?.DeepClone() }, statusCode: StatusCodes.Status202Accepted);
        });
        await app.RunAsync().ConfigureAwait(false);
    }

    private static long s_counter;
}
