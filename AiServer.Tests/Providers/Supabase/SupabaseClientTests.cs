using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using AiServer.Providers;
using AiServer.Providers.Supabase;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.Tests.Providers.Supabase;

public sealed class SupabaseClientTests(ProviderEmulatorFixture emulator) : IClassFixture<ProviderEmulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Table() => "jobs_" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task InsertAsync_Rows_ReturnsTheRepresentation()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var db = host.Get<SupabaseClient>();
        var table = Table();

        var rows = await db.InsertAsync<JsonObject>(table, new[] { new { name = "a", score = 1 }, new { name = "b", score = 2 } }, cancellationToken: Ct);

        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.NotNull(r["id"]));
    }

    [Fact]
    public async Task InsertAsync_RepresentationLargerThanMaxResponseBytes_ResponseTooLargeNotABreakerFailure()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?> { ["Providers:Supabase:MaxResponseBytes"] = "1024" });
        var db = host.Get<SupabaseClient>();

        var ex = await Assert.ThrowsAsync<ProviderException>(() => db.InsertAsync<JsonObject>(Table(), new[] { new { name = new string('x', 4096), score = 1 } }, cancellationToken: Ct));

        Assert.Equal("response_too_large", ex.ErrorCode);
        Assert.Contains("Providers:Supabase:MaxResponseBytes", ex.ProviderMessage, StringComparison.Ordinal);
        Assert.Equal(0, host.Get<AiServer.ServiceDefaults.Resilience.ICircuitBreakerRegistry>().Get(ProviderNames.Supabase).GetStats().Failures);
    }

    [Fact]
    public async Task SelectAsync_FilterOrderLimit_ReturnsMatchingRowsInOrder()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var db = host.Get<SupabaseClient>();
        var table = Table();
        await db.InsertAsync<JsonObject>(table, new[] { new { name = "a", score = 1 }, new { name = "b", score = 5 }, new { name = "c", score = 3 }, new { name = "d", score = 9 } }, cancellationToken: Ct);

        var rows = await db.SelectAsync<JsonObject>(table, new SupabaseQuery().Select("name,score").Gte("score", 3).Order("score", ascending: false).Limit(2), cancellationToken: Ct);

        Assert.Equal(["d", "b"], rows.Select(r => (string?)r["name"]));
    }

    [Fact]
    public async Task SelectAsync_InFilterWithReservedCharacters_IsQuoted()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var db = host.Get<SupabaseClient>();
        var table = Table();
        await db.InsertAsync<JsonObject>(table, new[] { new { name = "a,b" }, new { name = "c" }, new { name = "d" } }, cancellationToken: Ct);

        var rows = await db.SelectAsync<JsonObject>(table, new SupabaseQuery().In("name", ["a,b", "d"]).Order("id"), cancellationToken: Ct);

        Assert.Equal(["a,b", "d"], rows.Select(r => (string?)r["name"]));
    }

    [Fact]
    public async Task SelectSingleAsync_OneRow_ReturnsTheObject()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var db = host.Get<SupabaseClient>();
        var table = Table();
        await db.InsertAsync<JsonObject>(table, new { name = "only", telegram_id = "42" }, cancellationToken: Ct);

        var row = await db.SelectSingleAsync<Row>(table, new SupabaseQuery().Eq("name", "only"), cancellationToken: Ct);

        Assert.Equal("only", row.Name);
    }

    [Fact]
    public async Task SelectSingleAsync_SeveralRows_ThrowsPgrst116()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var db = host.Get<SupabaseClient>();
        var table = Table();
        await db.InsertAsync<JsonObject>(table, new[] { new { name = "x" }, new { name = "x" } }, cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<SupabaseException>(() => db.SelectSingleAsync<JsonObject>(table, new SupabaseQuery().Eq("name", "x"), cancellationToken: Ct));

        Assert.Equal(406, ex.StatusCode);
        Assert.Equal("PGRST116", ex.ErrorCode);
        Assert.Equal("The result contains 2 rows", ex.Details);
    }

    [Fact]
    public async Task UpdateAsync_Filter_ReturnsUpdatedRows()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var db = host.Get<SupabaseClient>();
        var table = Table();
        var inserted = await db.InsertAsync<JsonObject>(table, new[] { new { status = "queued" }, new { status = "queued" } }, cancellationToken: Ct);
        var id = (long)inserted[0]["id"]!;

        var updated = await db.UpdateAsync<JsonObject>(table, new { status = "done" }, new SupabaseQuery().Eq("id", id), cancellationToken: Ct);
        var rest = await db.SelectAsync<JsonObject>(table, new SupabaseQuery().Eq("status", "queued"), cancellationToken: Ct);

        Assert.Equal("done", (string?)Assert.Single(updated)["status"]);
        Assert.Single(rest);
    }

    [Fact]
    public async Task UpdateAsync_NoFilter_IsRefusedLocally()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        await Assert.ThrowsAsync<ArgumentException>(() => host.Get<SupabaseClient>().UpdateAsync<JsonObject>("t", new { a = 1 }, new SupabaseQuery(), cancellationToken: Ct));
    }

    [Fact]
    public async Task UpsertAsync_ExistingKey_MergesInsteadOfConflict()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var db = host.Get<SupabaseClient>();
        var table = Table();
        await db.InsertAsync<JsonObject>(table, new { id = 7, name = "old" }, cancellationToken: Ct);

        var rows = await db.UpsertAsync<JsonObject>(table, new { id = 7, name = "new" }, "id", cancellationToken: Ct);
        var all = await db.SelectAsync<JsonObject>(table, cancellationToken: Ct);

        Assert.Equal("new", (string?)Assert.Single(rows)["name"]);
        Assert.Equal("new", (string?)Assert.Single(all)["name"]);
    }

    [Fact]
    public async Task InsertAsync_DuplicateKey_ThrowsSupabaseExceptionWith23505AndDetails()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var db = host.Get<SupabaseClient>();
        var table = Table();
        await db.InsertAsync<JsonObject>(table, new { id = 1 }, cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<SupabaseException>(() => db.InsertAsync<JsonObject>(table, new { id = 1 }, cancellationToken: Ct));

        Assert.Equal(409, ex.StatusCode);
        Assert.Equal("23505", ex.ErrorCode);
        Assert.Contains("already exists", ex.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteAsync_Filter_ReturnsDeletedRows()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var db = host.Get<SupabaseClient>();
        var table = Table();
        await db.InsertAsync<JsonObject>(table, new[] { new { name = "keep" }, new { name = "drop" } }, cancellationToken: Ct);

        var deleted = await db.DeleteAsync<JsonObject>(table, new SupabaseQuery().Eq("name", "drop"), cancellationToken: Ct);
        var rest = await db.SelectAsync<JsonObject>(table, cancellationToken: Ct);

        Assert.Equal("drop", (string?)Assert.Single(deleted)["name"]);
        Assert.Equal("keep", (string?)Assert.Single(rest)["name"]);
    }

    [Fact]
    public async Task SelectAsync_UnknownTable_ThrowsPgrst205()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var ex = await Assert.ThrowsAsync<SupabaseException>(() => host.Get<SupabaseClient>().SelectAsync<JsonObject>("no_such_table", cancellationToken: Ct));

        Assert.Equal(404, ex.StatusCode);
        Assert.Equal("PGRST205", ex.ErrorCode);
    }

    [Fact]
    public async Task RpcAsync_KnownFunction_ReturnsItsResult()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var stats = await host.Get<SupabaseClient>().RpcAsync<JsonObject>("get_stats", new { since = "2026-01-01" }, cancellationToken: Ct);

        Assert.Equal(3, (int)stats["jobs"]!);
    }

    [Fact]
    public async Task RpcAsync_UnknownFunction_ThrowsPgrst202WithHint()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var ex = await Assert.ThrowsAsync<SupabaseException>(() => host.Get<SupabaseClient>().RpcAsync<JsonObject>("nope", cancellationToken: Ct));

        Assert.Equal(404, ex.StatusCode);
        Assert.Equal("PGRST202", ex.ErrorCode);
        Assert.NotNull(ex.Hint ?? ex.Details);
    }

    [Fact]
    public async Task EveryCall_HealthProbeIncluded_FeedsDatabaseResponseTimeFromZero()
    {
        // Arrange: listen to the gauge (observed on demand) and the histogram (one measurement per call).
        var gauge = new List<double>();
        var calls = new List<(string Operation, double Seconds)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "AiServer.Providers" && instrument.Name is "database_response_time_ms" or "database.request.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            lock (calls)
            {
                if (instrument.Name == "database_response_time_ms")
                {
                    gauge.Add(value);
                }
                else
                {
                    var operation = string.Empty;
                    foreach (var tag in tags)
                    {
                        operation = tag.Key == "operation" ? (string)tag.Value! : operation;
                    }

                    calls.Add((operation, value));
                }
            }
        });
        listener.Start();
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var db = host.Get<SupabaseClient>();

        // Act + Assert: 0 before any call (the series exists from the first scrape), then the last call's latency.
        listener.RecordObservableInstruments();
        lock (calls)
        {
            Assert.Equal(0, gauge.Last());
        }

        await db.InsertAsync<JsonObject>(Table(), new { a = 1 }, cancellationToken: Ct);
        await db.HealthCheckAsync(Ct);
        listener.RecordObservableInstruments();
        lock (calls)
        {
            Assert.Contains(calls, c => c.Operation == "health-check");
            Assert.All(calls, c => Assert.True(c.Seconds > 0));
            Assert.Equal(calls.Last().Seconds * 1000, gauge.Last(), 6);
        }
    }

    [Fact]
    public async Task SelectAsync_5xxBurst_OpensOnlyTheSupabaseBreaker()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var db = host.Get<SupabaseClient>();
        var table = Table();
        await db.InsertAsync<JsonObject>(table, new { a = 1 }, cancellationToken: Ct);
        await emulator.AddFaultAsync(new { provider = "supabase", path = "/rest/v1/" + table, kind = "error", statusCode = 503, count = 3 });

        // The database preset makes 2 attempts per call, so two calls carry three failures.
        await Assert.ThrowsAsync<SupabaseException>(() => db.SelectAsync<JsonObject>(table, cancellationToken: Ct));
        var second = await Assert.ThrowsAnyAsync<ProviderException>(() => db.SelectAsync<JsonObject>(table, cancellationToken: Ct));
        var third = await Assert.ThrowsAsync<ProviderUnavailableException>(() => db.SelectAsync<JsonObject>(table, cancellationToken: Ct));

        Assert.True(third.BreakerRejected);
        var breakers = host.Get<ICircuitBreakerRegistry>();
        Assert.Equal(CircuitState.Open, breakers.Get(ProviderNames.Supabase).State);
        Assert.Equal(CircuitState.Closed, breakers.Get(ProviderNames.Replicate).State);
        Assert.NotNull(second);
    }

    [Fact]
    public async Task HealthCheckAsync_Emulator_Healthy()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var result = await host.Get<SupabaseClient>().HealthCheckAsync(Ct);

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task SelectAsync_WrongKey_ThrowsGateway401WithHint()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?> { ["Providers:Supabase:ApiKey"] = "sb_wrong_key_0001" });

        var ex = await Assert.ThrowsAsync<SupabaseException>(() => host.Get<SupabaseClient>().SelectAsync<JsonObject>("jobs", cancellationToken: Ct));

        Assert.Equal(401, ex.StatusCode);
        Assert.Equal("Invalid API key", ex.ProviderMessage);
        Assert.Contains("service_role", ex.Hint, StringComparison.Ordinal);
        Assert.DoesNotContain("sb_wrong_key_0001", ex.ToString(), StringComparison.Ordinal);
    }

    private sealed record Row
    {
        public long Id { get; init; }

        public string? Name { get; init; }
    }
}
