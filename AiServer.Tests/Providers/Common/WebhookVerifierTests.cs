using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using AiServer.Providers.Bfl;
using AiServer.Providers.Replicate;
using AiServer.Providers.SyncLabs;
using AiServer.Providers.Webhooks;
using AiServer.Tests.Infrastructure;
using AiServer.Tests.ProviderEmulator;
using Microsoft.Extensions.Time.Testing;

namespace AiServer.Tests.Providers.Common;

public sealed class WebhookVerifierTests(ProviderEmulatorFixture emulator) : IClassFixture<ProviderEmulatorFixture>
{
    // The emulator's default Replicate signing secret.
    private static readonly string ReplicateSecret = "whsec_" + Convert.ToBase64String("aiserver-provider-emulator-key"u8);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static FakeTimeProvider ClockAt(long unixSeconds)
    {
        var time = new FakeTimeProvider();
        time.SetUtcNow(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));
        return time;
    }

    [Fact]
    public void VerifyStandardWebhook_ReplicateTestVector_Accepted()
    {
        var time = ClockAt(1614265330);

        var ok = WebhookVerifier.VerifyStandardWebhook(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", "{\"test\": 2432232314}"u8, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", time);

        Assert.True(ok);
    }

    [Theory]
    [InlineData("99999999999999")]
    [InlineData("253402300800")]
    [InlineData("9223372036854775807")]
    [InlineData("99999999999999999999")]
    public void Verify_TimestampOutOfRange_RefusedWithoutThrowing(string timestamp)
    {
        var time = ClockAt(1614265330);
        var body = "{}"u8.ToArray();
        var syncSignature = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes("s3cret"), Encoding.UTF8.GetBytes(timestamp + ".{}")));

        var standard = WebhookVerifier.VerifyStandardWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_1", timestamp, body, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", time);
        var sync = WebhookVerifier.VerifySync("s3cret", body, $"t={timestamp},v1={syncSignature}", time);

        Assert.False(standard);
        Assert.False(sync);
    }

    [Theory]
    [InlineData("{\"test\": 2432232315}", "1614265330", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("{\"test\": 2432232314}", "1614265330", "whsec_AAAAr8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("{\"test\": 2432232314}", "1614264000", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    public void VerifyStandardWebhook_ForgedBodySecretOrStaleTimestamp_Refused(string body, string timestamp, string secret)
    {
        // Stale: the clock is 1614265330 + 10 min for the third row (timestamp 22 min old).
        var time = ClockAt(1614265330 + 600);
        var fresh = timestamp == "1614265330" ? ClockAt(1614265330) : time;

        var ok = WebhookVerifier.VerifyStandardWebhook(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp, Encoding.UTF8.GetBytes(body), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", fresh);

        Assert.False(ok);
    }

    [Fact]
    public async Task VerifyStandardWebhook_EmulatorReplicateWebhook_AcceptedAndTamperedRefused()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var host = await ProviderTestHost.StartAsync(emulator);

        await host.Get<ReplicateClient>().RunAsync("owner/model", new JsonObject { ["prompt"] = "hook" }, webhook: listener.Url, cancellationToken: Ct);
        var hook = await listener.NextAsync("Replicate's webhook");

        Assert.True(WebhookVerifier.VerifyStandardWebhook(ReplicateSecret, hook.Headers["webhook-id"], hook.Headers["webhook-timestamp"], hook.Body, hook.Headers["webhook-signature"], TimeProvider.System));
        var tampered = hook.Body.ToArray();
        tampered[^2] ^= 0x01;
        Assert.False(WebhookVerifier.VerifyStandardWebhook(ReplicateSecret, hook.Headers["webhook-id"], hook.Headers["webhook-timestamp"], tampered, hook.Headers["webhook-signature"], TimeProvider.System));
    }

    [Fact]
    public async Task VerifySync_EmulatorSyncWebhook_AcceptedAndForgedRefused()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var host = await ProviderTestHost.StartAsync(emulator);

        await host.Get<SyncLabsClient>().GenerateLipSyncAsync(new SyncLipSyncRequest
        {
            VideoUrl = new Uri(emulator.BaseUri, "files/outputs/x/in.mp4"),
            AudioUrl = new Uri(emulator.BaseUri, "files/outputs/x/in.wav"),
            WebhookUrl = listener.Url,
        }, cancellationToken: Ct);
        var hook = await listener.NextAsync("Sync's webhook");
        var signature = hook.Headers["Sync-Signature"];

        Assert.True(WebhookVerifier.VerifySync(EmulatorHost.SyncWebhookSecret, hook.Body, signature, TimeProvider.System));
        Assert.False(WebhookVerifier.VerifySync("another-secret", hook.Body, signature, TimeProvider.System));
        Assert.False(WebhookVerifier.VerifySync(EmulatorHost.SyncWebhookSecret, "{\"status\":\"COMPLETED\"}"u8, signature, TimeProvider.System));
    }

    [Fact]
    public async Task VerifyBfl_EmulatorFinetuneWebhook_AcceptedAndForgedRefused()
    {
        await using var listener = await WebhookListener.StartAsync();
        await using var host = await ProviderTestHost.StartAsync(emulator);
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            archive.CreateEntry("1.png");
        }

        await host.Get<BflClient>().CreateFinetuneAsync(new BflFinetuneRequest { Zip = zip.ToArray(), Comment = "42424242", WebhookUrl = listener.Url, WebhookSecret = "bfl-hook-secret" }, cancellationToken: Ct);
        var hook = await listener.NextAsync("BFL's webhook");
        var signature = hook.Headers["X-BFL-Signature"];

        Assert.True(WebhookVerifier.VerifyBfl("bfl-hook-secret", hook.Body, signature));
        Assert.False(WebhookVerifier.VerifyBfl("bfl-hook-secret", "{\"status\":\"Ready\"}"u8, signature));
        Assert.False(WebhookVerifier.VerifyBfl("bfl-hook-secret", hook.Body, "sha256=" + new string('0', 64)));
    }
}
