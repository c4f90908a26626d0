using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AiServer.Tests.Infrastructure;
using StackExchange.Redis;

namespace AiServer.Tests.Jobs;

/// <summary>Supabase as the record: every change of every job reaches ai_jobs / ai_job_events, through outages and relay crashes.</summary>
[Collection("Jobs")]
public sealed class OutboxTests(JobsFixture app)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task SupabaseOutage30s_During100Jobs_EveryRowEqualsItsRedisRecord_InOrder()
    {
        // Arrange: Supabase answers 503 to everything for 30 s (the supabase breaker opens; the relay waits).
        await app.Emulator.AddFaultAsync(new { provider = "supabase", kind = "error", statusCode = 503, rate = 1.0, durationSeconds = 30 });

        // Act: 100 jobs run to the end meanwhile.
        var ids = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            ids.Add(await JobsFixture.SubmitOkAsync(app.ClientA, "speech", $$"""{"text":"outage {{i}}","voice_id":"21m00Tcm4TlvDq8ikWAM"}"""));
        }

        foreach (var id in ids)
        {
            await app.WaitForStatusAsync(app.ClientA, id, "succeeded", Timeout);
        }

        await WaitForOutboxDrainedAsync();

        // Assert: the relay waited for the breaker; every job's row is its Redis record; its events rows are every state
        // it went through, in order.
        Assert.Contains("job changes wait in the outbox", app.ApiProcess.Output, StringComparison.Ordinal);
        Assert.Contains("jobs_outbox_lag_seconds", await app.Anonymous.GetStringAsync("metrics", TestContext.Current.CancellationToken), StringComparison.Ordinal);
        await AssertSupabaseEqualsRedisAsync(ids);
    }

    [Fact]
    public async Task RelayKilledMidBatch_ResumesWithoutLossOrDuplicates()
    {
        // Arrange: Supabase slow (4 s per write) so a batch is in flight, and 20 finished jobs waiting for it.
        await WaitForOutboxDrainedAsync();
        await app.Emulator.AddFaultAsync(new { provider = "supabase", path = "/rest/v1/ai_job*", method = "POST", kind = "latency", latencyMs = 4000, durationSeconds = 20 });
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(await JobsFixture.SubmitOkAsync(app.ClientA, "speech", $$"""{"text":"crash {{i}}","voice_id":"21m00Tcm4TlvDq8ikWAM"}"""));
        }

        foreach (var id in ids)
        {
            await app.WaitForStatusAsync(app.ClientA, id, "succeeded", Timeout);
        }

        await Wait.UntilAsync(
            async () => (await app.Emulator.RequestsAsync("supabase")).Any(r => r!["method"]!.GetValue<string>() == "POST" && r["path"]!.GetValue<string>().Contains("ai_job", StringComparison.Ordinal)),
            Timeout,
            "the relay to send a batch to Supabase");
        Assert.True(await OutboxLengthAsync() > 0, "the batch is still in the outbox while Supabase writes it");

        // Act: SIGKILL the api (the relay) mid-batch; a new api takes the lease once the old one's expires.
        await app.RestartApiAsync();
        using (var cleared = await app.Emulator.Control.DeleteAsync("_emulator/faults", TestContext.Current.CancellationToken))
        {
            cleared.EnsureSuccessStatusCode();
        }

        await WaitForOutboxDrainedAsync();

        // Assert: nothing lost, nothing twice.
        await AssertSupabaseEqualsRedisAsync(ids);
    }

    [Fact]
    public async Task Reconcile_FindsARowMissingInSupabase_AndRepairsIt()
    {
        // Arrange: a relayed job whose row someone deleted in Supabase.
        var id = await JobsFixture.SubmitOkAsync(app.ClientA, "speech", """{"text":"drift","voice_id":"21m00Tcm4TlvDq8ikWAM"}""");
        await app.WaitForStatusAsync(app.ClientA, id, "succeeded", Timeout);
        await WaitForOutboxDrainedAsync();
        using var supabase = app.Emulator.Client("supabase");
        using (var deleted = await supabase.DeleteAsync($"rest/v1/ai_jobs?id=eq.{id}", TestContext.Current.CancellationToken))
        {
            Assert.True(deleted.IsSuccessStatusCode, "deleting the row: " + (int)deleted.StatusCode);
        }

        // Act
        var report = await ReconcileAsync();
        await WaitForOutboxDrainedAsync();

        // Assert
        Assert.Contains(id, report["drifted"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.True(report["missing"]!.GetValue<int>() >= 1, report.ToJsonString());
        await AssertSupabaseEqualsRedisAsync([id]);
    }

    private async Task<JsonObject> ReconcileAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(app.Api, "admin/jobs/outbox/reconcile?repair=true"));
        request.Headers.Authorization = new("Bearer", JobsFixture.AdminToken);
        using var response = await app.Anonymous.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"reconcile answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!.AsObject();
    }

    private async Task<long> OutboxLengthAsync()
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync(app.Redis.ConnectionString);
        return await redis.GetDatabase().StreamLengthAsync(app.Prefix + "{jobs}:outbox");
    }

    private async Task WaitForOutboxDrainedAsync()
    {
        long length = -1;
        await Wait.UntilAsync(
            async () => (length = await OutboxLengthAsync()) == 0,
            Timeout,
            () => $"the outbox to drain into Supabase; {length} entries left. api:{Environment.NewLine}{JobsFixture.Tail(app.ApiProcess)}",
            TimeSpan.FromMilliseconds(250));
    }

    private async Task AssertSupabaseEqualsRedisAsync(IReadOnlyList<string> ids)
    {
        using var supabase = app.Emulator.Client("supabase");
        using var redis = await ConnectionMultiplexer.ConnectAsync(app.Redis.ConnectionString);
        var db = redis.GetDatabase();
        foreach (var chunk in ids.Chunk(25))
        {
            var filter = "in.(" + string.Join(',', chunk) + ")";
            var rows = (await supabase.GetFromJsonAsync<JsonArray>($"rest/v1/ai_jobs?id={filter}", TestContext.Current.CancellationToken))!;
            var events = (await supabase.GetFromJsonAsync<JsonArray>($"rest/v1/ai_job_events?job_id={filter}&order=job_id.asc,version.asc", TestContext.Current.CancellationToken))!;
            foreach (var id in chunk)
            {
                var record = JsonNode.Parse((string)(await db.HashGetAsync(app.Prefix + "{jobs}:job:" + id, "data"))!)!;
                var row = Assert.Single(rows, r => r!["id"]!.GetValue<string>() == id)!;
                Assert.True(JsonNode.DeepEquals(record, row["record"]), $"ai_jobs row of {id} differs from Redis:{Environment.NewLine}{row["record"]!.ToJsonString()}{Environment.NewLine}{record.ToJsonString()}");
                Assert.Equal(record["status"]!.GetValue<string>(), row["status"]!.GetValue<string>());
                Assert.Equal(record["version"]!.GetValue<long>(), row["version"]!.GetValue<long>());

                var states = events.Where(e => e!["job_id"]!.GetValue<string>() == id).Select(e => e!["record"]!).ToList();
                var stream = await db.StreamRangeAsync(app.Prefix + "{jobs}:events:" + id);
                Assert.Equal(Enumerable.Range(1, (int)record["version"]!.GetValue<long>()).Select(v => (long)v), states.Select(s => s["version"]!.GetValue<long>()));
                Assert.Equal(stream.Length, states.Count);
                for (var i = 0; i < stream.Length; i++)
                {
                    Assert.True(JsonNode.DeepEquals(JsonNode.Parse((string)stream[i]["data"]!), states[i]), $"event {i + 1} of {id} differs");
                }
            }
        }
    }
}
