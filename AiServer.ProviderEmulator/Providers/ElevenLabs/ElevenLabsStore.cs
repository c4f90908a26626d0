using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Infrastructure;

namespace AiServer.ProviderEmulator.Providers.ElevenLabs;

/// <summary>Voices (premade ones seeded) and the concurrency gauge of text-to-speech.</summary>
internal sealed class ElevenLabsStore : IResettable
{
    private static readonly (string Id, string Name, string Gender, string Accent)[] Premade =
    [
        ("21m00Tcm4TlvDq8ikWAM", "Rachel", "female", "american"),
        ("EXAVITQu4vr4xnSDxMaL", "Sarah", "female", "american"),
        ("pNInz6obpgDQGcFmaJgB", "Adam", "male", "american"),
        ("JBFqnCBsd6RMkjVDRZzb", "George", "male", "british"),
    ];

    private readonly Lock _gate = new();
    private readonly List<JsonObject> _voices = [];
    private readonly TimeProvider _time;
    private int _inFlight;

    public ElevenLabsStore(TimeProvider time)
    {
        _time = time;
        Seed();
    }

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Takes a concurrency slot; false (and nothing taken) when <paramref name="limit"/> is reached.</summary>
    public bool TryEnter(int limit)
    {
        while (true)
        {
            var current = Volatile.Read(ref _inFlight);
            if (current >= limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _inFlight, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Exit() => Interlocked.Decrement(ref _inFlight);

    public JsonObject? Find(string voiceId)
    {
        lock (_gate)
        {
            return _voices.FirstOrDefault(v => v.GetString("voice_id") == voiceId)?.DeepClone() as JsonObject;
        }
    }

    public List<JsonObject> All()
    {
        lock (_gate)
        {
            return [.. _voices.Select(v => (JsonObject)v.DeepClone())];
        }
    }

    public int CustomCount()
    {
        lock (_gate)
        {
            return _voices.Count(v => v.GetString("category") != "premade");
        }
    }

    public string Add(string name, string? description, JsonObject labels, int sampleCount)
    {
        var id = Ids.Voice();
        var samples = new JsonArray();
        for (var i = 0; i < sampleCount; i++)
        {
            samples.Add(new JsonObject { ["sample_id"] = Ids.Voice(), ["file_name"] = $"sample-{i}.mp3", ["mime_type"] = "audio/mpeg", ["size_bytes"] = 0, ["hash"] = string.Empty });
        }

        lock (_gate)
        {
            _voices.Add(Voice(id, name, "cloned", description, labels, samples, _time.GetUtcNow()));
        }

        return id;
    }

    public bool Delete(string voiceId)
    {
        lock (_gate)
        {
            return _voices.RemoveAll(v => v.GetString("voice_id") == voiceId) > 0;
        }
    }

    public bool Edit(string voiceId, string? name, string? description)
    {
        lock (_gate)
        {
            var voice = _voices.FirstOrDefault(v => v.GetString("voice_id") == voiceId);
            if (voice is null)
            {
                return false;
            }

            if (name is not null)
            {
                voice["name"] = name;
            }

            if (description is not null)
            {
                voice["description"] = description;
            }

            return true;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _voices.Clear();
        }

        Seed();
    }

    private void Seed()
    {
        var created = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        lock (_gate)
        {
            foreach (var (id, name, gender, accent) in Premade)
            {
                _voices.Add(Voice(id, name, "premade", null, new JsonObject { ["gender"] = gender, ["accent"] = accent, ["age"] = "young" }, null, created));
            }
        }
    }

    private static JsonObject Voice(string id, string name, string category, string? description, JsonObject labels, JsonArray? samples, DateTimeOffset created) => new()
    {
        ["voice_id"] = id,
        ["name"] = name,
        ["samples"] = samples,
        ["category"] = category,
        ["fine_tuning"] = new JsonObject { ["is_allowed_to_fine_tune"] = category != "premade", ["state"] = new JsonObject() },
        ["labels"] = labels,
        ["description"] = description,
        ["preview_url"] = null,
        ["available_for_tiers"] = new JsonArray(),
        ["settings"] = new JsonObject { ["stability"] = 0.5, ["similarity_boost"] = 0.75, ["style"] = 0.0, ["use_speaker_boost"] = true, ["speed"] = 1.0 },
        ["sharing"] = null,
        ["high_quality_base_model_ids"] = new JsonArray("eleven_multilingual_v2", "eleven_turbo_v2_5", "eleven_flash_v2_5"),
        ["verified_languages"] = new JsonArray(),
        ["is_owner"] = category != "premade",
        ["is_legacy"] = false,
        ["is_mixed"] = false,
        ["created_at_unix"] = created.ToUnixTimeSeconds(),
    };
}
