using System.Text;
using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Infrastructure;
using AiServer.ProviderEmulator.Options;
using AiServer.ProviderEmulator.Webhooks;
using Microsoft.Extensions.Options;

namespace AiServer.ProviderEmulator.Providers.SyncLabs;

/// <summary>Generations PENDING -> PROCESSING -> COMPLETED/FAILED/REJECTED, idempotency keys, completion webhooks.</summary>
internal sealed class SyncLabsStore(JobScheduler scheduler, WebhookDispatcher webhooks, IOptions<EmulatorOptions> options) : IResettable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SyncGeneration> _generations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _idempotency = new(StringComparer.Ordinal);

    public TimeProvider Time => scheduler.Time;

    public EmulatorOptions Options => options.Value;

    /// <summary>Adds the generation, or returns the one created earlier with the same idempotency key.</summary>
    public JsonObject Create(SyncGeneration generation, string? idempotencyKey)
    {
        lock (_gate)
        {
            if (idempotencyKey is not null && _idempotency.TryGetValue(idempotencyKey, out var existing))
            {
                return _generations[existing].ToJson();
            }

            _generations[generation.Id] = generation;
            if (idempotencyKey is not null)
            {
                _idempotency[idempotencyKey] = generation.Id;
            }
        }

        var duration = generation.Duration;
        scheduler.After(duration / 2, () =>
        {
            Advance(generation.Id, final: false);
            scheduler.After(generation.CreatedAt + duration - scheduler.Now, () => Advance(generation.Id, final: true));
        });
        lock (_gate)
        {
            return generation.ToJson();
        }
    }

    public JsonObject? Get(string id)
    {
        lock (_gate)
        {
            return _generations.TryGetValue(id, out var g) ? g.ToJson() : null;
        }
    }

    /// <summary>Generations, newest first; a null set does not filter (statuses compare case-insensitively).</summary>
    public List<JsonObject> List(IReadOnlySet<string>? statuses, IReadOnlySet<string>? ids)
    {
        lock (_gate)
        {
            return [.. _generations.Values
                .Where(g => (statuses is null || statuses.Contains(g.Status)) && (ids is null || ids.Contains(g.Id)))
                .OrderByDescending(g => g.CreatedAt)
                .Select(g => g.ToJson())];
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _generations.Clear();
            _idempotency.Clear();
        }
    }

    private void Advance(string id, bool final)
    {
        SyncGeneration? g;
        lock (_gate)
        {
            if (!_generations.TryGetValue(id, out g) || g.IsTerminal)
            {
                return;
            }

            if (!final)
            {
                g.Status = "PROCESSING";
                return;
            }

            switch (g.Outcome)
            {
                case JobOutcome.Succeeded:
                    g.Status = "COMPLETED";
                    g.OutputUrl = RequestUrls.Output(g.Origin, g.Id, (g.OutputFileName ?? "output") + ".mp4");
                    g.OutputDuration = 1.0;
                    break;
                case JobOutcome.Moderated or JobOutcome.Rejected:
                    g.Status = "REJECTED";
                    g.Error = "The input was rejected by content moderation.";
                    g.ErrorCode = "content_moderation_rejected";
                    break;
                default:
                    g.Status = "FAILED";
                    g.Error = "Emulated failure: no face was detected in the input video.";
                    g.ErrorCode = "generation_failed";
                    break;
            }
        }

        if (g.WebhookUrl is null)
        {
            return;
        }

        byte[] body;
        lock (_gate)
        {
            body = Encoding.UTF8.GetBytes(g.ToJson().ToJsonString(ProviderJson.Options));
        }

        var timestamp = scheduler.Now.ToUnixTimeSeconds();
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Sync-Signature"] = WebhookSigning.TimestampedHex(options.Value.SyncLabs.WebhookSecret, timestamp, body),
        };
        webhooks.Enqueue(ProviderIds.SyncLabs, g.WebhookUrl, body, headers);
    }
}
