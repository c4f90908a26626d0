using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace AiServer.Drills;

/// <summary>How an accepted job ended, as <c>GET /v1/jobs/{id}</c> reports it (Status "missing" when the api no longer knows it).</summary>
internal sealed record JobOutcome(string Id, string Kind, string Status, string Provider, DateTimeOffset? CreatedAt, DateTimeOffset? CompletedAt, int Attempts, int Fallbacks)
{
    public bool Terminal => Status is "succeeded" or "failed" or "canceled" or "missing";

    public double? DurationSeconds => CreatedAt is { } c && CompletedAt is { } d ? (d - c).TotalSeconds : null;
}

/// <summary>Follows accepted jobs through the app's endpoint until each is terminal.</summary>
internal static class JobTracker
{
    /// <summary>Polls every job not yet terminal every 2 s until all are or <paramref name="timeout"/> passed; returns the last outcome of each.</summary>
    public static async Task<IReadOnlyDictionary<string, JobOutcome>> WaitTerminalAsync(DrillApp app, IEnumerable<RequestSample> accepted, TimeSpan timeout, Action<string> log)
    {
        var outcomes = new ConcurrentDictionary<string, JobOutcome>(StringComparer.Ordinal);
        var open = accepted.Where(s => s.JobId is not null).Select(s => (Id: s.JobId!, s.Kind)).DistinctBy(j => j.Id).ToList();
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        while (open.Count > 0)
        {
            await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (job, ct) =>
            {
                if (await GetAsync(app, job.Id, job.Kind, ct) is { } outcome)
                {
                    outcomes[job.Id] = outcome;
                }
            });
            open = [.. open.Where(j => !outcomes.TryGetValue(j.Id, out var o) || !o.Terminal)];
            if (open.Count == 0 || clock.Elapsed > timeout)
            {
                break;
            }

            if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(15))
            {
                lastReport = clock.Elapsed;
                log($"  waiting for {open.Count} jobs to end ({string.Join(", ", open.GroupBy(j => outcomes.TryGetValue(j.Id, out var o) ? o.Status : "?").Select(g => $"{g.Count()} {g.Key}"))}) ...");
            }

            await Task.Delay(2000);
        }

        return outcomes;
    }

    private static async Task<JobOutcome?> GetAsync(DrillApp app, string id, string kind, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(app.ApiUrl, "/v1/jobs/" + id));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", app.ApiKey);
            using var response = await app.Http.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return new JobOutcome(id, kind, "missing", string.Empty, null, null, 0, 0);
            }

            if (!response.IsSuccessStatusCode)
            {
                return null; // e.g. 503 while Redis is away: ask again next round
            }

            var job = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
            return new JobOutcome(
                id,
                kind,
                (string)job["status"]!,
                (string?)job["provider"] ?? string.Empty,
                Time(job["created_at"]),
                Time(job["completed_at"]),
                (int?)job["attempts"] ?? 0,
                job["fallbacks"] is JsonArray moves ? moves.Count : 0);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            return null;
        }
    }

    private static DateTimeOffset? Time(JsonNode? node) =>
        node is null ? null : DateTimeOffset.Parse((string)node!, CultureInfo.InvariantCulture);
}
