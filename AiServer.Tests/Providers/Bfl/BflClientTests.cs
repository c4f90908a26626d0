using System.IO.Compression;
using AiServer.Providers;
using AiServer.Providers.Bfl;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.Tests.Providers.Bfl;

public sealed class BflClientTests(ProviderEmulatorFixture emulator) : IClassFixture<ProviderEmulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Zip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("1.png").Open();
            entry.Write([0x89, 0x50, 0x4E, 0x47]);
        }

        return buffer.ToArray();
    }

    [Fact]
    public async Task CreateFinetuneAsync_ThenWait_ReadyAndDetailsKeepTheComment()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var client = host.Get<BflClient>();

        var created = await client.CreateFinetuneAsync(new BflFinetuneRequest { Zip = Zip(), Comment = "144022504", TriggerWord = "NEURO" }, cancellationToken: Ct);
        var result = await client.WaitForResultAsync(created.FinetuneId, TimeSpan.FromSeconds(10), cancellationToken: Ct);
        var details = await client.GetFinetuneDetailsAsync(created.FinetuneId, cancellationToken: Ct);
        var telegramId = await client.GetTelegramIdFromFinetuneAsync(created.FinetuneId, cancellationToken: Ct);

        Assert.Equal(BflStatus.Ready, result.State);
        Assert.Equal("NEURO", (string?)details["trigger_word"]);
        Assert.Equal("144022504", telegramId);
        var request = (await emulator.RequestsAsync("bfl")).Last(r => (string?)r!["path"] == "/bfl/v1/finetune");
        Assert.True((long)request!["bodySize"]! > Zip().Length, "the ZIP travels base64-encoded");
    }

    [Theory]
    [InlineData("144022504", "144022504")]
    [InlineData("user 144022504 portrait", "144022504")]
    [InlineData("no id", null)]
    [InlineData(null, null)]
    public void TelegramIdFromComment_Variants_ExtractsTheId(string? comment, string? expected) =>
        Assert.Equal(expected, BflClient.TelegramIdFromComment(comment));

    [Fact]
    public async Task CreateFinetuneAsync_NotAZip_IsRefusedLocally()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        await Assert.ThrowsAsync<ArgumentException>(() => host.Get<BflClient>().CreateFinetuneAsync(new BflFinetuneRequest { Zip = [1, 2, 3, 4], Comment = "1" }, cancellationToken: Ct));
    }

    [Fact]
    public async Task CreateFinetuneAsync_BadMode_Throws422WithFieldLocation()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => host.Get<BflClient>().CreateFinetuneAsync(new BflFinetuneRequest { Zip = Zip(), Comment = "1", Mode = "portrait" }, cancellationToken: Ct));

        Assert.Equal(422, ex.StatusCode);
        Assert.Equal("validation_error", ex.ErrorCode);
        Assert.Contains("mode", ex.ProviderMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForResultAsync_FailedFinetune_ThrowsJobFailed()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var client = host.Get<BflClient>();
        var created = await client.CreateFinetuneAsync(new BflFinetuneRequest { Zip = Zip(), Comment = "emulator:failed" }, cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<ProviderJobFailedException>(() => client.WaitForResultAsync(created.FinetuneId, TimeSpan.FromSeconds(10), cancellationToken: Ct));

        Assert.Equal("Error", ex.Status);
    }

    [Fact]
    public async Task GetResultAsync_UnknownId_ReportsTaskNotFoundAsTerminal()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var result = await host.Get<BflClient>().GetResultAsync("missing", cancellationToken: Ct);

        Assert.Equal(BflStatus.TaskNotFound, result.State);
        Assert.True(result.IsTerminal);
    }

    [Fact]
    public async Task GetFinetuneDetailsAsync_Unknown_Throws404WithDetail()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => host.Get<BflClient>().GetFinetuneDetailsAsync("missing", cancellationToken: Ct));

        Assert.Equal(404, ex.StatusCode);
        Assert.Equal("Finetune missing not found", ex.ProviderMessage);
    }

    [Fact]
    public async Task HealthCheckAsync_Emulator_HealthyWithCredits()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var result = await host.Get<BflClient>().HealthCheckAsync(Ct);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("1000", result.Data["credits"]);
    }

    [Fact]
    public async Task HealthCheckAsync_WrongKey_Throws401()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?> { ["Providers:Bfl:ApiKey"] = "bfl_wrong" });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => host.Get<BflClient>().HealthCheckAsync(Ct));

        Assert.Equal(401, ex.StatusCode);
    }

    [Fact]
    public async Task CreateFinetuneAsync_5xxBurst_OpensOnlyTheBflBreaker()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var client = host.Get<BflClient>();
        await emulator.AddFaultAsync(new { provider = "bfl", path = "/v1/finetune", method = "POST", kind = "error", statusCode = 500, count = 3 });

        for (var i = 0; i < 3; i++)
        {
            var ex = await Assert.ThrowsAsync<ProviderException>(() => client.CreateFinetuneAsync(new BflFinetuneRequest { Zip = Zip(), Comment = "1" }, cancellationToken: Ct));
            Assert.Equal(500, ex.StatusCode);
        }

        var rejected = await Assert.ThrowsAsync<ProviderUnavailableException>(() => client.CreateFinetuneAsync(new BflFinetuneRequest { Zip = Zip(), Comment = "1" }, cancellationToken: Ct));

        Assert.True(rejected.BreakerRejected);
        var breakers = host.Get<ICircuitBreakerRegistry>();
        Assert.Equal(CircuitState.Open, breakers.Get(ProviderNames.Bfl).State);
        foreach (var other in new[] { ProviderNames.Replicate, ProviderNames.Supabase, ProviderNames.ElevenLabs, ProviderNames.SyncLabs, ProviderNames.HuggingFace, ProviderNames.Bfl, ProviderNames.FileDownload }.Where(n => n != ProviderNames.Bfl))
        {
            Assert.Equal(CircuitState.Closed, breakers.Get(other).State);
        }
    }

    [Fact]
    public async Task GetResultAsync_SlowResponse_HitsTheAttemptTimeout()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?>
        {
            ["Providers:Bfl:AttemptTimeout"] = "00:00:00.200",
            ["Providers:Bfl:TotalRequestTimeout"] = "00:00:00.600",
        });
        await emulator.AddFaultAsync(new { provider = "bfl", path = "/v1/get_result", kind = "latency", latencyMs = 3000, count = 1 });

        var ex = await Assert.ThrowsAsync<ProviderUnavailableException>(() => host.Get<BflClient>().GetResultAsync("slow", cancellationToken: Ct));

        Assert.False(ex.BreakerRejected);
        Assert.Equal("timeout", host.Get<ICircuitBreakerRegistry>().Get(ProviderNames.Bfl).GetStats().LastFailureReason);
    }
}
