using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Infrastructure;
using AiServer.ProviderEmulator.Options;
using AiServer.ProviderEmulator.Webhooks;
using Microsoft.Extensions.Options;

namespace AiServer.ProviderEmulator.Providers.Bfl;

/// <summary>Tasks Pending -> Ready/Error/Content Moderated, finetunes, and webhooks signed with the task's secret.</summary>
internal sealed class BflStore(JobScheduler scheduler, WebhookDispatcher webhooks, IOptions<EmulatorOptions> options) : IResettable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, BflTask> _tasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _finetunes = new(StringComparer.Ordinal);

    public TimeProvider Time => scheduler.Time;

    public EmulatorOptions Options => options.Value;

    public int Active(string? endpoint = null)
    {
        lock (_gate)
        {
            return _tasks.Values.Count(t => !t.IsTerminal && (endpoint is null || t.Endpoint == endpoint));
        }
    }

    public void Add(BflTask task)
    {
        lock (_gate)
        {
            _tasks[task.Id] = task;
            if (task.IsFinetune)
            {
                _finetunes[task.Id] = new JsonObject
                {
                    ["finetune_id"] = task.Id,
                    ["finetune_comment"] = task.Input["finetune_comment"]?.DeepClone(),
                    ["mode"] = task.Input["mode"]?.DeepClone(),
                    ["trigger_word"] = task.Input["trigger_word"]?.DeepClone() ?? "TOK",
                    ["iterations"] = task.Input["iterations"]?.DeepClone() ?? 300,
                    ["learning_rate"] = task.Input["learning_rate"]?.DeepClone(),
                    ["captioning"] = task.Input["captioning"]?.DeepClone() ?? true,
                    ["priority"] = task.Input["priority"]?.DeepClone() ?? "quality",
                    ["finetune_type"] = task.Input["finetune_type"]?.DeepClone() ?? "full",
                    ["lora_rank"] = task.Input["lora_rank"]?.DeepClone() ?? 32,
                };
            }
        }

        scheduler.After(task.Duration, () => Complete(task.Id));
    }

    public JsonObject? Result(string id)
    {
        lock (_gate)
        {
            return _tasks.TryGetValue(id, out var task) ? task.ToResult(scheduler.Now) : null;
        }
    }

    public bool FinetuneExists(string id)
    {
        lock (_gate)
        {
            return _finetunes.ContainsKey(id);
        }
    }

    public JsonObject? FinetuneDetails(string id)
    {
        lock (_gate)
        {
            return _finetunes.TryGetValue(id, out var details) ? (JsonObject)details.DeepClone() : null;
        }
    }

    public List<string> Finetunes()
    {
        lock (_gate)
        {
            return [.. _finetunes.Keys];
        }
    }

    public bool DeleteFinetune(string id)
    {
        lock (_gate)
        {
            return _finetunes.Remove(id);
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _tasks.Clear();
            _finetunes.Clear();
        }
    }

    private void Complete(string id)
    {
        BflTask? task;
        JsonObject payload;
        lock (_gate)
        {
            if (!_tasks.TryGetValue(id, out task) || task.IsTerminal)
            {
                return;
            }

            var now = scheduler.Now;
            task.CompletedAt = now;
            switch (task.Outcome)
            {
                case JobOutcome.Succeeded:
                    task.Status = "Ready";
                    task.Result = task.IsFinetune
                        ? new JsonObject { ["finetune_id"] = task.Id }
                        : new JsonObject
                        {
                            ["sample"] = RequestUrls.Output(task.Origin, task.Id, "sample." + Extension(task.Input.GetString("output_format"))),
                            ["prompt"] = task.Input["prompt"]?.DeepClone(),
                            ["seed"] = task.Input["seed"]?.DeepClone() ?? 42,
                            ["start_time"] = task.CreatedAt.ToUnixTimeMilliseconds() / 1000.0,
                            ["end_time"] = now.ToUnixTimeMilliseconds() / 1000.0,
                            ["duration"] = (now - task.CreatedAt).TotalSeconds,
                        };
                    break;
                case JobOutcome.Moderated or JobOutcome.Rejected:
                    task.Status = "Content Moderated";
                    task.Details = new JsonObject { ["Moderation Reasons"] = new JsonArray("Derivative Works Filter") };
                    break;
                default:
                    task.Status = "Error";
                    task.Details = new JsonObject { ["error"] = "Emulated generation failure" };
                    break;
            }

            payload = new JsonObject
            {
                ["id"] = task.Id,
                ["status"] = task.Status,
                ["result"] = task.Result?.DeepClone(),
                ["timestamp"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            };
            if (task.Status != "Ready")
            {
                payload["error"] = task.Status == "Error" ? "generation_failed" : "content_moderated";
                payload["details"] = task.Details?.DeepClone();
            }
        }

        if (task.WebhookUrl is null)
        {
            return;
        }

        var body = Encoding.UTF8.GetBytes(payload.ToJsonString(ProviderJson.Options));
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(task.WebhookSecret))
        {
            headers[options.Value.Bfl.WebhookSignatureHeader] = "sha256=" + WebhookSigning.HexHmac(task.WebhookSecret, body);
        }

        webhooks.Enqueue(ProviderIds.Bfl, task.WebhookUrl, body, headers);
    }

    private static string Extension(string? outputFormat) => outputFormat switch
    {
        "png" => "png",
        "webp" => "webp",
        _ => "jpg",
    };
}
