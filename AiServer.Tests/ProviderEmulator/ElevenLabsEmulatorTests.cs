using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace AiServer.Tests.ProviderEmulator;

[Collection(EmulatorCollection.Name)]
public sealed class ElevenLabsEmulatorTests(EmulatorFixture emulator) : IAsyncLifetime
{
    private const string Rachel = "21m00Tcm4TlvDq8ikWAM";
    private readonly HttpClient _eleven = emulator.Client("elevenlabs");

    public async ValueTask InitializeAsync() => await emulator.ResetAsync();

    public ValueTask DisposeAsync()
    {
        _eleven.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task TextToSpeech_DefaultFormat_ReturnsMp3Frames()
    {
        using var response = await _eleven.PostJsonAsync($"v1/text-to-speech/{Rachel}", """{"text":"Hello","model_id":"eleven_multilingual_v2"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/mpeg", response.Content.Headers.ContentType?.MediaType);
        MediaAssert.Mp3(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("wav_16000", "audio/wav")]
    [InlineData("wav_44100", "audio/wav")]
    public async Task TextToSpeech_WavFormat_ReturnsWavAtRequestedRate(string format, string contentType)
    {
        using var response = await _eleven.PostJsonAsync($"v1/text-to-speech/{Rachel}?output_format={format}", """{"text":"Hello"}""");

        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        MediaAssert.Wav(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken), int.Parse(format[4..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task TextToSpeech_Mp3At22050_ReturnsMpeg2Frames()
    {
        using var response = await _eleven.PostJsonAsync($"v1/text-to-speech/{Rachel}?output_format=mp3_22050_32", """{"text":"Hello"}""");
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        MediaAssert.Mp3(bytes);
        Assert.Equal(0xF3, bytes[1]); // MPEG-2, layer III, no CRC
    }

    [Fact]
    public async Task TextToSpeech_OpusFormat_ReturnsOggOpus()
    {
        using var response = await _eleven.PostJsonAsync($"v1/text-to-speech/{Rachel}?output_format=opus_48000_64", """{"text":"Hello"}""");
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.Equal("OggS"u8.ToArray(), bytes[..4]);
        Assert.Equal("OpusHead"u8.ToArray(), bytes[28..36]);
    }

    [Fact]
    public async Task TextToSpeech_UnknownVoice_Returns404VoiceNotFound()
    {
        using var response = await _eleven.PostJsonAsync("v1/text-to-speech/nope", """{"text":"Hello"}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var detail = (await response.ReadObjectAsync())["detail"]!;
        Assert.Equal("voice_not_found", (string?)detail["status"]);
        Assert.Equal("A voice with the voice_id nope was not found.", (string?)detail["message"]);
    }

    [Fact]
    public async Task TextToSpeech_MissingKey_Returns401InvalidApiKey()
    {
        using var anonymous = emulator.Client("elevenlabs", authenticated: false);
        using var response = await anonymous.PostJsonAsync($"v1/text-to-speech/{Rachel}", """{"text":"Hello"}""");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_api_key", (string?)(await response.ReadObjectAsync())["detail"]!["status"]);
    }

    [Fact]
    public async Task TextToSpeech_MissingText_Returns422FastApiValidation()
    {
        using var response = await _eleven.PostJsonAsync($"v1/text-to-speech/{Rachel}", """{"model_id":"x"}""");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var error = (await response.ReadObjectAsync())["detail"]!.AsArray()[0]!;
        Assert.Equal("text", (string?)error["loc"]!.AsArray()[1]);
        Assert.Equal("missing", (string?)error["type"]);
    }

    [Fact]
    public async Task TextToSpeech_OverCharacterLimit_Returns400MaxCharacterLimitExceeded()
    {
        var text = new string('a', 10_001);
        using var response = await _eleven.PostJsonAsync($"v1/text-to-speech/{Rachel}", $$$"""{"text":"{{{text}}}"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("max_character_limit_exceeded", (string?)(await response.ReadObjectAsync())["detail"]!["status"]);
    }

    [Fact]
    public async Task AddVoice_Multipart_CreatesVoiceUntilLimitThen400VoiceLimitReached()
    {
        for (var i = 0; i < 2; i++)
        {
            using var added = await AddVoiceAsync($"clone-{i}");
            Assert.Equal(HttpStatusCode.OK, added.StatusCode);
            var body = await added.ReadObjectAsync();
            Assert.False((bool)body["requires_verification"]!);
            using var voice = await _eleven.GetAsync($"v1/voices/{body["voice_id"]}", TestContext.Current.CancellationToken);
            Assert.Equal("cloned", (string?)(await voice.ReadObjectAsync())["category"]);
        }

        using var third = await AddVoiceAsync("one-too-many");
        Assert.Equal(HttpStatusCode.BadRequest, third.StatusCode);
        Assert.Equal("voice_limit_reached", (string?)(await third.ReadObjectAsync())["detail"]!["status"]);
    }

    [Fact]
    public async Task ListVoices_Seeded_ContainsPremadeVoices()
    {
        using var response = await _eleven.GetAsync("v1/voices", TestContext.Current.CancellationToken);

        var voices = (await response.ReadObjectAsync())["voices"]!.AsArray();
        Assert.Contains(voices, v => (string?)v!["voice_id"] == Rachel);
    }

    [Fact]
    public async Task GetUser_ValidKey_ReturnsSubscription()
    {
        using var response = await _eleven.GetAsync("v1/user", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull((await response.ReadObjectAsync())["subscription"]!["tier"]);
    }

    [Fact]
    public async Task TextToSpeechStreamWithTimestamps_ReturnsOneJsonChunkPerLineCoveringTheText()
    {
        using var response = await _eleven.PostJsonAsync($"v1/text-to-speech/{Rachel}/stream/with-timestamps", """{"text":"Hello there"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var chunks = lines.Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
        Assert.Equal("Hello there", string.Concat(chunks.SelectMany(c => c["alignment"]!["characters"]!.AsArray().Select(ch => (string?)ch))));
        MediaAssert.Mp3([.. chunks.SelectMany(c => Convert.FromBase64String((string)c["audio_base64"]!))]);
    }

    [Fact]
    public async Task GetUser_HasEveryFieldTheJsSdkRequires()
    {
        using var response = await _eleven.GetAsync("v1/user", TestContext.Current.CancellationToken);

        var user = await response.ReadObjectAsync();
        foreach (var field in (string[])["user_id", "workspace_id", "subscription", "is_new_user", "can_use_delayed_payment_methods", "is_onboarding_completed", "is_onboarding_checklist_completed", "created_at", "seat_type"])
        {
            Assert.True(user.ContainsKey(field), "missing " + field);
        }

        AssertSubscriptionFields(user["subscription"]!.AsObject());
        Assert.False(user["subscription"]!.AsObject().ContainsKey("open_invoices"));
    }

    [Fact]
    public async Task GetSubscription_IsTheExtendedModelWithInvoices()
    {
        using var response = await _eleven.GetAsync("v1/user/subscription", TestContext.Current.CancellationToken);

        var subscription = await response.ReadObjectAsync();
        AssertSubscriptionFields(subscription);
        Assert.Empty(subscription["open_invoices"]!.AsArray());
        Assert.False((bool)subscription["has_open_invoices"]!);
        Assert.Equal("0.00", (string?)subscription["current_overage"]!["amount"]);
    }

    private static void AssertSubscriptionFields(JsonObject subscription)
    {
        foreach (var field in (string[])["tier", "character_count", "character_limit", "max_credit_limit_extension", "can_extend_character_limit", "allowed_to_extend_character_limit", "voice_slots_used", "professional_voice_slots_used", "professional_voice_slots_used_in_workspace", "voice_limit", "voice_add_edit_counter", "professional_voice_limit", "can_extend_voice_limit", "can_use_instant_voice_cloning", "can_use_professional_voice_cloning", "current_overage", "status"])
        {
            Assert.True(subscription.ContainsKey(field), "missing subscription." + field);
        }
    }

    private async Task<HttpResponseMessage> AddVoiceAsync(string name)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(name), "name");
        var file = new ByteArrayContent(new byte[] { 0xFF, 0xFB, 0x90, 0xC4 });
        file.Headers.ContentType = new MediaTypeHeaderValue("audio/mpeg");
        form.Add(file, "files", "sample.mp3");
        return await _eleven.PostAsync("v1/voices/add", form, TestContext.Current.CancellationToken);
    }
}
