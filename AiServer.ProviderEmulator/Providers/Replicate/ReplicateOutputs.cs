using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Infrastructure;

namespace AiServer.ProviderEmulator.Providers.Replicate;

/// <summary>Picks a plausible, deterministic output shape from the model name and input.</summary>
internal static class ReplicateOutputs
{
    public static JsonNode For(ReplicateJob job)
    {
        var model = job.Model.ToLowerInvariant();
        var format = job.Input.GetString("output_format")?.ToLowerInvariant();
        if (format is "png" or "jpg" or "jpeg" or "webp")
        {
            var count = job.Input["num_outputs"] is JsonValue v && v.TryGetValue<int>(out var n) ? Math.Clamp(n, 1, 4) : 1;
            var ext = format == "jpeg" ? "jpg" : format;
            return new JsonArray([.. Enumerable.Range(0, count).Select(i => (JsonNode)JsonValue.Create(RequestUrls.Output(job.Origin, job.Id, $"out-{i}.{ext}")))]);
        }

        if (Has(model, "whisper", "caption", "blip", "llava", "florence", "joy"))
        {
            return JsonValue.Create("a small test image of a single solid colour")!;
        }

        if (Has(model, "video", "lipsync", "wan", "kling", "hunyuan", "sync"))
        {
            return JsonValue.Create(RequestUrls.Output(job.Origin, job.Id, "output.mp4"))!;
        }

        if (Has(model, "tts", "speech", "audio", "music", "voice", "bark", "kokoro"))
        {
            return JsonValue.Create(RequestUrls.Output(job.Origin, job.Id, "output.wav"))!;
        }

        if (Has(model, "llama", "gpt", "mistral", "claude", "qwen", "gemma", "deepseek"))
        {
            return new JsonArray("This ", "is ", "an ", "emulated ", "answer.");
        }

        return new JsonArray(RequestUrls.Output(job.Origin, job.Id, "out-0.png"));
    }

    /// <summary>
    /// Whether the output is text (a caption string or language-model tokens): such predictions get
    /// <c>urls.stream</c>, as Replicate gives them to models that stream.
    /// </summary>
    public static bool IsText(ReplicateJob job) => Tokens(job) is not null;

    /// <summary>The text output as the stream sends it (one event per token), or null when the output is files.</summary>
    public static IReadOnlyList<string>? Tokens(ReplicateJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var files = RequestUrls.Output(job.Origin, job.Id, string.Empty);
        List<string?> parts = For(job) switch
        {
            JsonArray array => [.. array.Select(t => t is JsonValue v && v.TryGetValue<string>(out var text) ? text : null)],
            JsonValue value when value.TryGetValue<string>(out var text) => [text],
            _ => [null],
        };
        return parts.All(p => p is not null && !p.StartsWith(files, StringComparison.Ordinal)) ? [.. parts.Select(p => p!)] : null;
    }

    private static bool Has(string model, params string[] words) => words.Any(w => model.Contains(w, StringComparison.Ordinal));
}
