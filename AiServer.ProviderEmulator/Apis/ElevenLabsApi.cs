using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Infrastructure;
using AiServer.ProviderEmulator.Options;
using AiServer.ProviderEmulator.Providers.ElevenLabs;
using Microsoft.Extensions.Options;

namespace AiServer.ProviderEmulator.Apis;

/// <summary>ElevenLabs under <c>/elevenlabs</c> (stands for <c>https://api.elevenlabs.io</c>).</summary>
public static class ElevenLabsApi
{
    public static IEndpointRouteBuilder MapElevenLabsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/elevenlabs").WithTags("ElevenLabs").RequireProviderKey(ProviderIds.ElevenLabs);
        api.MapPost("/v1/text-to-speech/{voiceId}", TextToSpeech).WithName("ElevenLabsTextToSpeech").WithSummary("Text to speech (audio bytes)");
        api.MapPost("/v1/text-to-speech/{voiceId}/stream", TextToSpeechStream).WithName("ElevenLabsTextToSpeechStream").WithSummary("Text to speech, chunked");
        api.MapPost("/v1/text-to-speech/{voiceId}/with-timestamps", TextToSpeechWithTimestamps).WithName("ElevenLabsTextToSpeechWithTimestamps").WithSummary("Text to speech with alignment");
        api.MapPost("/v1/text-to-speech/{voiceId}/stream/with-timestamps", TextToSpeechStreamWithTimestamps).WithName("ElevenLabsTextToSpeechStreamWithTimestamps").WithSummary("Text to speech with alignment, newline-delimited JSON chunks");
        api.MapGet("/v1/voices", ListVoices).WithName("ElevenLabsListVoices").WithSummary("All voices");
        api.MapGet("/v2/voices", SearchVoices).WithName("ElevenLabsSearchVoices").WithSummary("Paginated voices");
        api.MapGet("/v1/voices/{voiceId}", GetVoice).WithName("ElevenLabsGetVoice").WithSummary("One voice");
        api.MapDelete("/v1/voices/{voiceId}", DeleteVoice).WithName("ElevenLabsDeleteVoice").WithSummary("Delete a voice");
        api.MapPost("/v1/voices/{voiceId}/edit", EditVoice).WithName("ElevenLabsEditVoice").WithSummary("Edit a voice").DisableAntiforgery();
        api.MapPost("/v1/voices/add", AddVoice).WithName("ElevenLabsAddVoice").WithSummary("Instant voice cloning").DisableAntiforgery();
        api.MapGet("/v1/user", GetUser).WithName("ElevenLabsGetUser").WithSummary("User and subscription");
        api.MapGet("/v1/user/subscription", GetSubscription).WithName("ElevenLabsGetSubscription").WithSummary("Subscription");
        api.MapGet("/v1/models", ListModels).WithName("ElevenLabsListModels").WithSummary("TTS models");
        return app;
    }

    internal static Task<IResult> TextToSpeech(string voiceId, HttpContext context, ElevenLabsStore store, IOptions<EmulatorOptions> options, TimeProvider time) =>
        SpeakAsync(voiceId, context, store, options.Value, time, Mode.Bytes);

    internal static Task<IResult> TextToSpeechStream(string voiceId, HttpContext context, ElevenLabsStore store, IOptions<EmulatorOptions> options, TimeProvider time) =>
        SpeakAsync(voiceId, context, store, options.Value, time, Mode.Stream);

    internal static Task<IResult> TextToSpeechWithTimestamps(string voiceId, HttpContext context, ElevenLabsStore store, IOptions<EmulatorOptions> options, TimeProvider time) =>
        SpeakAsync(voiceId, context, store, options.Value, time, Mode.Timestamps);

    internal static Task<IResult> TextToSpeechStreamWithTimestamps(string voiceId, HttpContext context, ElevenLabsStore store, IOptions<EmulatorOptions> options, TimeProvider time) =>
        SpeakAsync(voiceId, context, store, options.Value, time, Mode.StreamTimestamps);

    internal static IResult ListVoices(ElevenLabsStore store) =>
        ProviderJson.Json(new JsonObject { ["voices"] = new JsonArray([.. store.All()]) });

    internal static IResult SearchVoices(ElevenLabsStore store, string? search, int? page_size, string? next_page_token)
    {
        var size = Math.Clamp(page_size ?? 10, 1, 100);
        var offset = int.TryParse(next_page_token, NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : 0;
        var all = store.All().Where(v => search is null || (v.GetString("name") ?? string.Empty).Contains(search, StringComparison.OrdinalIgnoreCase)).ToList();
        var page = all.Skip(offset).Take(size).ToList();
        var more = offset + size < all.Count;
        return ProviderJson.Json(new JsonObject
        {
            ["voices"] = new JsonArray([.. page]),
            ["has_more"] = more,
            ["total_count"] = all.Count,
            ["next_page_token"] = more ? (offset + size).ToString(CultureInfo.InvariantCulture) : null,
        });
    }

    internal static IResult GetVoice(string voiceId, ElevenLabsStore store) =>
        store.Find(voiceId) is { } voice ? ProviderJson.Json(voice) : VoiceNotFound(voiceId);

    internal static IResult DeleteVoice(string voiceId, ElevenLabsStore store) =>
        store.Delete(voiceId) ? ProviderJson.Json(new JsonObject { ["status"] = "ok" }) : VoiceNotFound(voiceId);

    internal static async Task<IResult> EditVoice(string voiceId, HttpRequest request, ElevenLabsStore store, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            return ProviderErrors.FastApiValidation(["body", "name"], "Field required");
        }

        var form = await request.ReadFormAsync(cancellationToken);
        return store.Edit(voiceId, form["name"].FirstOrDefault(), form["description"].FirstOrDefault())
            ? ProviderJson.Json(new JsonObject { ["status"] = "ok" })
            : VoiceNotFound(voiceId);
    }

    internal static async Task<IResult> AddVoice(HttpRequest request, ElevenLabsStore store, IOptions<EmulatorOptions> options, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            return ProviderErrors.FastApiValidation(["body", "name"], "Field required");
        }

        var form = await request.ReadFormAsync(cancellationToken);
        if (string.IsNullOrWhiteSpace(form["name"]))
        {
            return ProviderErrors.FastApiValidation(["body", "name"], "Field required");
        }

        var files = form.Files.GetFiles("files");
        if (files.Count == 0)
        {
            return ProviderErrors.FastApiValidation(["body", "files"], "Field required");
        }

        var limit = options.Value.ElevenLabs.VoiceLimit;
        var used = store.CustomCount();
        if (used >= limit)
        {
            return ProviderErrors.ElevenLabs(
                StatusCodes.Status400BadRequest,
                "voice_limit_reached",
                $"You have reached your maximum amount of custom voices ({used} / {limit}). You can upgrade your subscription to increase your custom voice limit.");
        }

        var labels = new JsonObject();
        if (form["labels"].FirstOrDefault() is { Length: > 0 } labelsText)
        {
            try
            {
                if (JsonNode.Parse(labelsText) is JsonObject parsed)
                {
                    labels = parsed;
                }
            }
            catch (System.Text.Json.JsonException)
            {
                return ProviderErrors.ElevenLabs(StatusCodes.Status400BadRequest, "invalid_labels", "labels must be a JSON object of strings.");
            }
        }

        var id = store.Add(form["name"]!, form["description"].FirstOrDefault(), labels, files.Count);
        return ProviderJson.Json(new JsonObject { ["voice_id"] = id, ["requires_verification"] = false });
    }

    /// <summary>
    /// <c>GET /v1/user</c> with every field the official SDKs require (elevenlabs-js validates the body strictly and
    /// rejects one that lacks e.g. <c>workspace_id</c> or <c>is_onboarding_completed</c>).
    /// </summary>
    internal static IResult GetUser(IOptions<EmulatorOptions> options, ElevenLabsStore store, TimeProvider time) => ProviderJson.Json(new JsonObject
    {
        ["user_id"] = "emulator-user",
        ["workspace_id"] = "emulator-workspace",
        ["subscription"] = Subscription(options.Value.ElevenLabs, store, time, extended: false),
        ["is_new_user"] = false,
        ["can_use_delayed_payment_methods"] = false,
        ["is_onboarding_completed"] = true,
        ["is_onboarding_checklist_completed"] = true,
        ["first_name"] = "Emulator",
        ["is_api_key_hashed"] = true,
        ["created_at"] = 1_700_000_000,
        ["seat_type"] = "workspace_admin",
    });

    /// <summary><c>GET /v1/user/subscription</c>: the extended model (with invoices) the SDKs parse as <c>Subscription</c>.</summary>
    internal static IResult GetSubscription(IOptions<EmulatorOptions> options, ElevenLabsStore store, TimeProvider time) =>
        ProviderJson.Json(Subscription(options.Value.ElevenLabs, store, time, extended: true));

    internal static IResult ListModels() => ProviderJson.Json(new JsonArray(
        Model("eleven_multilingual_v2", "Eleven Multilingual v2", 10_000),
        Model("eleven_turbo_v2_5", "Eleven Turbo v2.5", 40_000),
        Model("eleven_flash_v2_5", "Eleven Flash v2.5", 40_000)));

    private enum Mode
    {
        Bytes,
        Stream,
        Timestamps,
        StreamTimestamps,
    }

    private static async Task<IResult> SpeakAsync(string voiceId, HttpContext context, ElevenLabsStore store, EmulatorOptions options, TimeProvider time, Mode mode)
    {
        var request = context.Request;
        var format = request.Query["output_format"].FirstOrDefault() ?? "mp3_44100_128";
        if (!AudioFormat.IsKnown(format))
        {
            return ProviderErrors.FastApiValidation(["query", "output_format"], $"Input should be a valid output format, got '{format}'", "enum");
        }

        var (ok, node) = await ProviderJson.ReadAnyAsync(request, context.RequestAborted);
        if (!ok || node is not JsonObject body)
        {
            return ProviderErrors.FastApiValidation(["body"], "JSON decode error", "json_invalid");
        }

        if (body.GetString("text") is not { } text)
        {
            return ProviderErrors.FastApiValidation(["body", "text"], "Field required");
        }

        if (store.Find(voiceId) is null)
        {
            return VoiceNotFound(voiceId);
        }

        var model = body.GetString("model_id") ?? "eleven_multilingual_v2";
        var limit = model.Contains("flash", StringComparison.Ordinal) || model.Contains("turbo", StringComparison.Ordinal)
            ? options.ElevenLabs.CharacterLimit * 4
            : options.ElevenLabs.CharacterLimit;
        if (text.Length > limit)
        {
            return ProviderErrors.ElevenLabs(
                StatusCodes.Status400BadRequest,
                "max_character_limit_exceeded",
                $"You are sending {text.Length} characters in a single request, but the maximum is {limit} characters for model {model}.");
        }

        var max = options.ElevenLabs.MaxConcurrentRequests;
        if (!store.TryEnter(max))
        {
            context.Response.Headers["current-concurrent-requests"] = store.InFlight.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["maximum-concurrent-requests"] = max.ToString(CultureInfo.InvariantCulture);
            return ProviderErrors.ElevenLabs(
                StatusCodes.Status429TooManyRequests,
                "too_many_concurrent_requests",
                "Too many concurrent requests. Your current subscription allows a limited number of concurrent requests.");
        }

        try
        {
            context.Response.Headers["current-concurrent-requests"] = store.InFlight.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["maximum-concurrent-requests"] = max.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["request-id"] = Ids.Voice();
            context.Response.Headers["character-cost"] = text.Length.ToString(CultureInfo.InvariantCulture);
            // Synthesis takes time only when Emulator:ElevenLabs:JobDuration is set, so the concurrency gate can be exercised.
            if (options.ElevenLabs.JobDuration is { } duration && duration > TimeSpan.Zero)
            {
                await Task.Delay(duration, time, context.RequestAborted);
            }

            var (bytes, contentType) = AudioFormat.Render(format);
            return mode switch
            {
                Mode.Stream => TypedResults.Stream(new MemoryStream(bytes), contentType),
                Mode.Timestamps => ProviderJson.Json(Alignment(bytes, text)),
                Mode.StreamTimestamps => TypedResults.Text(AlignmentChunks(bytes, text), "application/json", Encoding.UTF8),
                _ => TypedResults.Bytes(bytes, contentType),
            };
        }
        finally
        {
            store.Exit();
        }
    }

    /// <summary>
    /// <c>/stream/with-timestamps</c>: one JSON object per line, each a chunk of the audio with the alignment of its part
    /// of the text (what the SDKs read as <c>StreamingAudioChunkWithTimestampsResponse</c>); two chunks here.
    /// </summary>
    private static string AlignmentChunks(byte[] audio, string text)
    {
        var audioSplit = audio.Length / 2;
        var textSplit = text.Length / 2;
        var first = Alignment(audio[..audioSplit], text[..textSplit]);
        var second = Alignment(audio[audioSplit..], text[textSplit..], textSplit);
        return first.ToJsonString() + "\n" + second.ToJsonString() + "\n";
    }

    private static JsonObject Alignment(byte[] audio, string text, int offset = 0)
    {
        var chars = new JsonArray();
        var starts = new JsonArray();
        var ends = new JsonArray();
        for (var i = 0; i < text.Length; i++)
        {
            chars.Add(text[i].ToString());
            starts.Add(Math.Round((offset + i) * 0.05, 3));
            ends.Add(Math.Round((offset + i + 1) * 0.05, 3));
        }

        var alignment = new JsonObject { ["characters"] = chars, ["character_start_times_seconds"] = starts, ["character_end_times_seconds"] = ends };
        return new JsonObject { ["audio_base64"] = Convert.ToBase64String(audio), ["alignment"] = alignment, ["normalized_alignment"] = alignment.DeepClone() };
    }

    private static JsonObject Subscription(ElevenLabsOptions options, ElevenLabsStore store, TimeProvider time, bool extended)
    {
        var subscription = new JsonObject
        {
            ["tier"] = "creator",
            ["character_count"] = 0,
            ["character_limit"] = 100_000,
            ["max_character_limit_extension"] = 0,
            ["max_credit_limit_extension"] = 0,
            ["can_extend_character_limit"] = false,
            ["allowed_to_extend_character_limit"] = false,
            ["next_character_count_reset_unix"] = time.GetUtcNow().AddDays(30).ToUnixTimeSeconds(),
            ["voice_slots_used"] = store.CustomCount(),
            ["professional_voice_slots_used"] = 0,
            ["professional_voice_slots_used_in_workspace"] = 0,
            ["voice_limit"] = options.VoiceLimit,
            ["max_voice_add_edits"] = 95,
            ["voice_add_edit_counter"] = 0,
            ["professional_voice_limit"] = 1,
            ["can_extend_voice_limit"] = false,
            ["can_use_instant_voice_cloning"] = true,
            ["can_use_professional_voice_cloning"] = true,
            ["currency"] = "usd",
            ["current_overage"] = new JsonObject { ["amount"] = "0.00", ["currency"] = "usd" },
            ["status"] = "active",
            ["billing_period"] = "monthly_period",
            ["character_refresh_period"] = "monthly_period",
        };
        if (extended)
        {
            subscription["open_invoices"] = new JsonArray();
            subscription["has_open_invoices"] = false;
        }

        return subscription;
    }

    private static JsonObject Model(string id, string name, int maxCharacters) => new()
    {
        ["model_id"] = id,
        ["name"] = name,
        ["can_do_text_to_speech"] = true,
        ["max_characters_request_subscribed_user"] = maxCharacters,
        ["languages"] = new JsonArray(new JsonObject { ["language_id"] = "en", ["name"] = "English" }),
    };

    private static IResult VoiceNotFound(string voiceId) =>
        ProviderErrors.ElevenLabs(StatusCodes.Status404NotFound, "voice_not_found", $"A voice with the voice_id {voiceId} was not found.");
}
