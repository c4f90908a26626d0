using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AiServer.Providers;
using AiServer.Providers.FileDownload;

namespace AiServer.Jobs.Submission;

/// <summary>
/// Checks a job request of each kind field by field (types, lengths, ranges, enumerations, unknown fields) and every
/// input URL against the SSRF rules, so bad input is a 400 naming each field and never reaches a worker.
/// </summary>
internal sealed partial class JobRequestValidator(SsrfGuard ssrf)
{
    private static readonly string[] SpeechFormats = ["mp3_22050_32", "mp3_44100_64", "mp3_44100_96", "mp3_44100_128", "mp3_44100_192", "pcm_16000", "pcm_22050", "pcm_24000", "pcm_44100", "wav_44100"];
    private static readonly string[] SyncModes = ["bounce", "loop", "cut_off", "silence", "remap"];
    private static readonly string[] ImageFormats = ["jpeg", "png", "webp"];
    private static readonly string[] BflModes = ["general", "character", "style", "product"];

    private static readonly Dictionary<string, string[]> Fields = new(StringComparer.Ordinal)
    {
        [JobKinds.Speech] = ["text", "voice_id", "model_id", "output_format", "language_code", "voice_settings"],
        [JobKinds.VoiceClone] = ["name", "samples", "description", "labels", "remove_background_noise"],
        [JobKinds.LipSync] = ["video_url", "audio_url", "model", "sync_mode"],
        [JobKinds.ImageCaption] = ["image_url", "caption_type", "caption_length"],
        [JobKinds.ImageGeneration] = ["prompt", "model", "width", "height", "seed", "output_format", "aspect_ratio"],
        [JobKinds.ModelTraining] = ["images_url", "trigger_word", "steps", "destination", "mode"],
    };

    /// <summary>The top-level fields every kind accepts besides its own.</summary>
    private static readonly string[] Common = ["provider", Webhooks.ClientWebhookEvents.UrlField, Webhooks.ClientWebhookEvents.FilterField];

    /// <summary>
    /// Validates <paramref name="body"/> for <paramref name="kind"/>. Returns the errors by field (empty: valid) and the
    /// provider to run it on, and whether the client pinned that provider.
    /// </summary>
    public async Task<(Dictionary<string, string[]> Errors, string Provider, bool Pinned)> ValidateAsync(string kind, JsonObject body, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        var allowed = Fields[kind];
        foreach (var (name, _) in body)
        {
            if (!allowed.Contains(name, StringComparer.Ordinal) && !Common.Contains(name, StringComparer.Ordinal))
            {
                Add(name, $"Unknown field for {kind} jobs; allowed: {string.Join(", ", allowed.Concat(Common))}.");
            }
        }

        var providers = JobKinds.ProvidersOf(kind);
        var provider = providers[0];
        var pinned = false;
        if (body.ContainsKey("provider"))
        {
            if (Text(body, "provider", Add, 1, 32) is { } named)
            {
                if (providers.Contains(named, StringComparer.Ordinal))
                {
                    provider = named;
                    pinned = true;
                }
                else
                {
                    Add("provider", $"'{named}' cannot run {kind} jobs; use one of {string.Join(", ", providers)}.");
                }
            }
        }

        var urls = new List<(string Field, string Url)>();
        switch (kind)
        {
            case JobKinds.Speech:
                Text(body, "text", Add, 1, 5000, required: true);
                Pattern(body, "voice_id", Add, IdPattern(), "letters, digits, '_' or '-' (at most 64)", required: true);
                Pattern(body, "model_id", Add, IdPattern(), "letters, digits, '_' or '-' (at most 64)");
                OneOf(body, "output_format", Add, SpeechFormats);
                Pattern(body, "language_code", Add, LanguagePattern(), "an ISO 639-1 code such as 'en'");
                ObjectOf(body, "voice_settings", Add, v => v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False, "numbers or booleans");
                break;
            case JobKinds.VoiceClone:
                Text(body, "name", Add, 1, 100, required: true);
                Text(body, "description", Add, 0, 500);
                ObjectOf(body, "labels", Add, v => v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length <= 100, "strings of at most 100 characters");
                Boolean(body, "remove_background_noise", Add);
                if (body["samples"] is JsonArray samples && samples.Count is >= 1 and <= 25)
                {
                    for (var i = 0; i < samples.Count; i++)
                    {
                        if (samples[i] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                        {
                            urls.Add(($"samples[{i}]", v.GetValue<string>()));
                        }
                        else
                        {
                            Add($"samples[{i}]", "Must be a URL string.");
                        }
                    }
                }
                else
                {
                    Add("samples", "Required: an array of 1 to 25 audio URLs.");
                }

                break;
            case JobKinds.LipSync:
                Url(body, "video_url", Add, urls, required: true);
                Url(body, "audio_url", Add, urls, required: true);
                Pattern(body, "model", Add, IdPattern(), "a Sync model name such as lipsync-2");
                OneOf(body, "sync_mode", Add, SyncModes);
                break;
            case JobKinds.ImageCaption:
                Url(body, "image_url", Add, urls, required: true);
                Text(body, "caption_type", Add, 1, 64);
                Text(body, "caption_length", Add, 1, 32);
                break;
            case JobKinds.ImageGeneration:
                Text(body, "prompt", Add, 1, 4000, required: true);
                Text(body, "model", Add, 1, 200);
                Integer(body, "width", Add, 256, 2048);
                Integer(body, "height", Add, 256, 2048);
                Integer(body, "seed", Add, 0, int.MaxValue);
                OneOf(body, "output_format", Add, ImageFormats);
                Pattern(body, "aspect_ratio", Add, AspectPattern(), "W:H such as 16:9");
                if (provider == ProviderNames.Replicate && JobInput(body, "model") is { } model && !ReplicateModelPattern().IsMatch(model))
                {
                    Add("model", "On replicate: owner/name or owner/name:<64-hex version>.");
                }
                else if (provider == ProviderNames.Bfl && JobInput(body, "model") is { } endpoint && !BflEndpointPattern().IsMatch(endpoint))
                {
                    Add("model", "On bfl: a FLUX endpoint such as flux-pro-1.1.");
                }

                break;
            case JobKinds.ModelTraining:
                Url(body, "images_url", Add, urls, required: true);
                Pattern(body, "trigger_word", Add, TriggerPattern(), "1 to 32 letters or digits");
                Integer(body, "steps", Add, provider == ProviderNames.Bfl ? 100 : 1, provider == ProviderNames.Bfl ? 1000 : 10000);
                if (provider == ProviderNames.Replicate)
                {
                    Pattern(body, "destination", Add, DestinationPattern(), "owner/name of an existing Replicate model", required: true);
                    if (body.ContainsKey("mode"))
                    {
                        Add("mode", "Only for bfl finetunes.");
                    }
                }
                else
                {
                    OneOf(body, "mode", Add, BflModes);
                    if (body.ContainsKey("destination"))
                    {
                        Add("destination", "Only for replicate trainings.");
                    }
                }

                break;
        }

        foreach (var (field, url) in urls)
        {
            if (await CheckUrlAsync(url, cancellationToken).ConfigureAwait(false) is { } problem)
            {
                Add(field, problem);
            }
        }

        await ValidateWebhookAsync(body, Add, cancellationToken).ConfigureAwait(false);
        return (errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal), provider, pinned);
    }

    /// <summary><c>webhook</c> (an http(s) URL that passes the SSRF rules) and <c>webhook_events_filter</c> (known events, not empty).</summary>
    private async Task ValidateWebhookAsync(JsonObject body, Action<string, string> add, CancellationToken cancellationToken)
    {
        if (Text(body, Webhooks.ClientWebhookEvents.UrlField, add, 1, 2048) is { } url && await CheckUrlAsync(url, cancellationToken).ConfigureAwait(false) is { } problem)
        {
            add(Webhooks.ClientWebhookEvents.UrlField, problem.Replace("Not fetchable", "Not reachable", StringComparison.Ordinal));
        }

        if (body.TryGetPropertyValue(Webhooks.ClientWebhookEvents.FilterField, out var filter))
        {
            if (filter is not JsonArray events || events.Count == 0 || events.Any(e => e is not JsonValue v || !v.TryGetValue<string>(out var name) || !Webhooks.ClientWebhookEvents.All.Contains(name, StringComparer.Ordinal)))
            {
                add(Webhooks.ClientWebhookEvents.FilterField, "Must be a non-empty list of " + string.Join(", ", Webhooks.ClientWebhookEvents.All) + ".");
            }
            else if (!body.ContainsKey(Webhooks.ClientWebhookEvents.UrlField))
            {
                add(Webhooks.ClientWebhookEvents.FilterField, "Needs a webhook.");
            }
        }
    }

    private async Task<string?> CheckUrlAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || url.Length > 2048)
        {
            return "Must be an absolute http or https URL of at most 2048 characters.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "Must not carry credentials.";
        }

        try
        {
            await ssrf.ResolveAllowedAsync(uri.Host, uri.Port, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (SsrfRefusedException ex)
        {
            return "Not fetchable: " + ex.ProviderMessage;
        }
    }

    private static string? JobInput(JsonObject body, string name) => body[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static string? Text(JsonObject body, string name, Action<string, string> add, int min, int max, bool required = false)
    {
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            if (required)
            {
                add(name, "Required.");
            }

            return null;
        }

        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            add(name, "Must be a string.");
            return null;
        }

        var text = value.GetValue<string>();
        if (text.Length < min || text.Length > max)
        {
            add(name, min > 0 ? $"Must be {min} to {max} characters." : $"Must be at most {max} characters.");
            return null;
        }

        return text;
    }

    private static void Pattern(JsonObject body, string name, Action<string, string> add, Regex pattern, string expected, bool required = false)
    {
        if (Text(body, name, add, 1, 256, required) is { } text && !pattern.IsMatch(text))
        {
            add(name, "Must be " + expected + ".");
        }
    }

    private static void OneOf(JsonObject body, string name, Action<string, string> add, string[] values)
    {
        if (Text(body, name, add, 1, 64) is { } text && !values.Contains(text, StringComparer.Ordinal))
        {
            add(name, "Must be one of " + string.Join(", ", values) + ".");
        }
    }

    private static void Url(JsonObject body, string name, Action<string, string> add, List<(string, string)> urls, bool required)
    {
        if (Text(body, name, add, 1, 2048, required) is { } text)
        {
            urls.Add((name, text));
        }
    }

    private static void Integer(JsonObject body, string name, Action<string, string> add, long min, long max)
    {
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            return;
        }

        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !value.TryGetValue<long>(out var number))
        {
            add(name, "Must be an integer.");
            return;
        }

        if (number < min || number > max)
        {
            add(name, $"Must be between {min} and {max}.");
        }
    }

    private static void Boolean(JsonObject body, string name, Action<string, string> add)
    {
        if (body.TryGetPropertyValue(name, out var node) && node is not null && (node is not JsonValue value || value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False)))
        {
            add(name, "Must be true or false.");
        }
    }

    private static void ObjectOf(JsonObject body, string name, Action<string, string> add, Func<JsonValue, bool> valueIsValid, string expected)
    {
        if (!body.TryGetPropertyValue(name, out var node) || node is null)
        {
            return;
        }

        if (node is not JsonObject obj || obj.Count > 32 || obj.Any(p => p.Key.Length > 64 || p.Value is not JsonValue v || !valueIsValid(v)))
        {
            add(name, $"Must be an object of at most 32 entries whose values are {expected}.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[a-z]{2}$")]
    private static partial Regex LanguagePattern();

    [GeneratedRegex("^[1-9][0-9]?:[1-9][0-9]?$")]
    private static partial Regex AspectPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*(:[0-9a-f]{64})?$")]
    private static partial Regex ReplicateModelPattern();

    [GeneratedRegex("^flux-[a-z0-9.-]+$")]
    private static partial Regex BflEndpointPattern();

    [GeneratedRegex("^[A-Za-z0-9]{1,32}$")]
    private static partial Regex TriggerPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]*/[a-z0-9][a-z0-9._-]*$")]
    private static partial Regex DestinationPattern();
}
