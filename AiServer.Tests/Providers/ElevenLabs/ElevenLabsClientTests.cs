using AiServer.Providers;
using AiServer.Providers.ElevenLabs;
using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiServer.Tests.Providers.ElevenLabs;

public sealed class ElevenLabsClientTests(ProviderEmulatorFixture emulator) : IClassFixture<ProviderEmulatorFixture>
{
    private const string Rachel = "21m00Tcm4TlvDq8ikWAM";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GenerateAsync_WavFormat_StreamsAudioIntoTheDestination()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        using var audio = new MemoryStream();

        var result = await host.Get<ElevenLabsClient>().GenerateAsync(new ElevenLabsSpeechRequest { VoiceId = Rachel, Text = "Hello", OutputFormat = "wav_22050" }, audio, cancellationToken: Ct);

        Assert.Equal("audio/wav", result.ContentType);
        Assert.Equal(audio.Length, result.Bytes);
        Assert.Equal("RIFF"u8.ToArray(), audio.ToArray()[..4]);
        Assert.Equal("5", result.CharacterCost);
    }

    [Fact]
    public async Task GenerateToFileAsync_Mp3_WritesTheFileAndNoTemporaryFiles()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var directory = Directory.CreateTempSubdirectory("aiserver-tts-");
        var path = Path.Combine(directory.FullName, "speech.mp3");

        var result = await host.Get<ElevenLabsClient>().GenerateToFileAsync(new ElevenLabsSpeechRequest { VoiceId = Rachel, Text = "Hi there" }, path, cancellationToken: Ct);

        Assert.Equal("audio/mpeg", result.ContentType);
        Assert.Equal(new FileInfo(path).Length, result.Bytes);
        Assert.Equal([path], Directory.GetFiles(directory.FullName));
        directory.Delete(recursive: true);
    }

    [Fact]
    public async Task GenerateToFileAsync_UnknownVoice_Throws404AndLeavesNothingOnDisk()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var directory = Directory.CreateTempSubdirectory("aiserver-tts-");

        var ex = await Assert.ThrowsAsync<ProviderException>(() =>
            host.Get<ElevenLabsClient>().GenerateToFileAsync(new ElevenLabsSpeechRequest { VoiceId = "nope", Text = "x" }, Path.Combine(directory.FullName, "a.mp3"), cancellationToken: Ct));

        Assert.Equal(404, ex.StatusCode);
        Assert.Equal("voice_not_found", ex.ErrorCode);
        Assert.Empty(Directory.GetFiles(directory.FullName));
        directory.Delete(recursive: true);
    }

    [Fact]
    public async Task GenerateAsync_TooLongText_Throws400MaxCharacterLimit()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var ex = await Assert.ThrowsAsync<ProviderException>(() =>
            host.Get<ElevenLabsClient>().GenerateAsync(new ElevenLabsSpeechRequest { VoiceId = Rachel, Text = new string('a', 10_001) }, Stream.Null, cancellationToken: Ct));

        Assert.Equal(400, ex.StatusCode);
        Assert.Equal("max_character_limit_exceeded", ex.ErrorCode);
    }

    [Fact]
    public async Task GenerateAsync_ManyParallelCalls_ClientLimitKeepsUnderThePlanConcurrency()
    {
        // The emulator allows 2 concurrent syntheses (200 ms each); the client is configured for 2 as well.
        await using var host = await ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?> { ["Providers:ElevenLabs:MaxConcurrentRequests"] = "2" });
        var client = host.Get<ElevenLabsClient>();
        var marker = "parallel-" + Guid.NewGuid().ToString("N")[..6];
        await emulator.ResetAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            client.GenerateAsync(new ElevenLabsSpeechRequest { VoiceId = Rachel, Text = marker + i }, Stream.Null, cancellationToken: Ct)));

        Assert.All(results, r => Assert.True(r.Bytes > 0));
        var throttled = (await emulator.RequestsAsync("elevenlabs")).Count(r => (int)r!["statusCode"]! == 429);
        Assert.Equal(0, throttled);
    }

    [Fact]
    public async Task GenerateAsync_TooManyConcurrentRequests_BacksOffAndSucceeds()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        await emulator.AddFaultAsync(new { provider = "elevenlabs", path = "/v1/text-to-speech/*", kind = "rateLimit", omitRetryAfter = true, count = 1 });
        using var audio = new MemoryStream();

        var result = await host.Get<ElevenLabsClient>().GenerateAsync(new ElevenLabsSpeechRequest { VoiceId = Rachel, Text = "retry me" }, audio, cancellationToken: Ct);

        Assert.True(result.Bytes > 0);
    }

    [Fact]
    public async Task GenerateAsync_SystemBusy_BacksOffAndSucceeds()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        // The emulator answers an injected 503 as ElevenLabs' system_busy.
        await emulator.AddFaultAsync(new { provider = "elevenlabs", path = "/v1/text-to-speech/*", kind = "error", statusCode = 503, count = 1 });

        var result = await host.Get<ElevenLabsClient>().GenerateAsync(new ElevenLabsSpeechRequest { VoiceId = Rachel, Text = "busy" }, Stream.Null, cancellationToken: Ct);

        Assert.True(result.Bytes > 0);
    }

    [Fact]
    public async Task GenerateAsync_SystemBusyBeyondRetries_ThrowsWithProviderCode()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?> { ["Providers:ElevenLabs:SystemBusyRetries"] = "1" });
        await emulator.AddFaultAsync(new { provider = "elevenlabs", path = "/v1/text-to-speech/*", kind = "error", statusCode = 503, count = 2 });

        var ex = await Assert.ThrowsAsync<ProviderException>(() =>
            host.Get<ElevenLabsClient>().GenerateAsync(new ElevenLabsSpeechRequest { VoiceId = Rachel, Text = "busy" }, Stream.Null, cancellationToken: Ct));

        Assert.Equal("system_busy", ex.ErrorCode);
        Assert.Equal(503, ex.StatusCode);
    }

    [Fact]
    public async Task CloneAsync_Samples_CreatesAVoiceListedByGetVoices()
    {
        await emulator.ResetAsync();
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var client = host.Get<ElevenLabsClient>();

        var clone = await client.CloneAsync("My voice", [new ElevenLabsVoiceSample("a.mp3", [1, 2, 3])], "test", new Dictionary<string, string> { ["accent"] = "british" }, cancellationToken: Ct);
        var voices = await client.GetVoicesAsync(cancellationToken: Ct);

        Assert.False(string.IsNullOrEmpty(clone.VoiceId));
        var voice = Assert.Single(voices, v => v.VoiceId == clone.VoiceId);
        Assert.Equal("My voice", voice.Name);
        Assert.Contains(voices, v => v.VoiceId == Rachel);
    }

    [Fact]
    public async Task CloneAsync_VoiceLimitReached_Throws400WithCode()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        var client = host.Get<ElevenLabsClient>();
        ProviderException? limit = null;
        for (var i = 0; i < 5 && limit is null; i++)
        {
            try
            {
                await client.CloneAsync("v" + i, [new ElevenLabsVoiceSample("a.mp3", [1])], cancellationToken: Ct);
            }
            catch (ProviderException ex)
            {
                limit = ex;
            }
        }

        Assert.NotNull(limit);
        Assert.Equal(400, limit.StatusCode);
        Assert.Equal("voice_limit_reached", limit.ErrorCode);
    }

    [Fact]
    public async Task HealthCheckAsync_Emulator_HealthyWithTier()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);

        var result = await host.Get<ElevenLabsClient>().HealthCheckAsync(Ct);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("creator", result.Data["tier"]);
    }

    [Fact]
    public async Task GetVoicesAsync_WrongKey_Throws401InvalidApiKey()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator, new Dictionary<string, string?> { ["Providers:ElevenLabs:ApiKey"] = "el_wrong" });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => host.Get<ElevenLabsClient>().GetVoicesAsync(cancellationToken: Ct));

        Assert.Equal(401, ex.StatusCode);
        Assert.Equal("invalid_api_key", ex.ErrorCode);
    }

    [Fact]
    public async Task GenerateAsync_5xxBurst_OpensOnlyTheElevenLabsBreaker()
    {
        await using var host = await ProviderTestHost.StartAsync(emulator);
        await emulator.AddFaultAsync(new { provider = "elevenlabs", path = "/v1/text-to-speech/*", kind = "error", statusCode = 503, count = 3 });

        // Three system_busy answers (each a breaker failure) open the breaker; the fourth attempt is rejected unsent.
        var ex = await Assert.ThrowsAsync<ProviderUnavailableException>(() =>
            host.Get<ElevenLabsClient>().GenerateAsync(new ElevenLabsSpeechRequest { VoiceId = Rachel, Text = "burst" }, Stream.Null, cancellationToken: Ct));

        Assert.True(ex.BreakerRejected);
        var breakers = host.Get<ICircuitBreakerRegistry>();
        Assert.Equal(CircuitState.Open, breakers.Get(ProviderNames.ElevenLabs).State);
        foreach (var other in new[] { ProviderNames.Replicate, ProviderNames.Supabase, ProviderNames.ElevenLabs, ProviderNames.SyncLabs, ProviderNames.HuggingFace, ProviderNames.Bfl, ProviderNames.FileDownload }.Where(n => n != ProviderNames.ElevenLabs))
        {
            Assert.Equal(CircuitState.Closed, breakers.Get(other).State);
        }
    }
}
