using System.Text;
using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Infrastructure;
using AiServer.ProviderEmulator.Options;
using AiServer.ProviderEmulator.Webhooks;
using Microsoft.Extensions.Options;

namespace AiServer.ProviderEmulator.Providers.Replicate;

/// <summary>Predictions, trainings and models, with the lifecycle starting -> processing -> terminal on timers.</summary>
internal sealed class ReplicateStore : IResettable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ReplicateJob> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _models = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<JsonObject>> _versions = new(StringComparer.OrdinalIgnoreCase);
    private readonly JobScheduler _scheduler;
    private readonly WebhookDispatcher _webhooks;
    private readonly EmulatorOptions _options;

    public ReplicateStore(JobScheduler scheduler, WebhookDispatcher webhooks, IOptions<EmulatorOptions> options)
    {
        _scheduler = scheduler;
        _webhooks = webhooks;
        _options = options.Value;
        SeedModels();
    }

    public TimeProvider Time => _scheduler.Time;

    public EmulatorOptions Options => _options;

    public ReplicateJob Create(ReplicateJob job)
    {
        lock (_gate)
        {
            _jobs[job.Id] = job;
        }

        Notify(job, "start");
        // The end is scheduled from the start, so a late timer can never complete a job before it started.
        var duration = job.Duration;
        _scheduler.After(duration / 2, () =>
        {
            Start(job.Id);
            _scheduler.After(job.CreatedAt + duration - _scheduler.Now, () => Complete(job.Id));
        });
        if (job.Deadline is { } deadline)
        {
            _scheduler.After(deadline - job.CreatedAt, () => Cancel(job.Id, deadlineHit: true));
        }

        return job;
    }

    public ReplicateJob? Get(string id)
    {
        lock (_gate)
        {
            return _jobs.GetValueOrDefault(id);
        }
    }

    public JsonObject? Snapshot(string id, bool? training = null)
    {
        lock (_gate)
        {
            return _jobs.TryGetValue(id, out var job) && (training is null || job.IsTraining == training) ? job.ToJson() : null;
        }
    }

    public List<JsonObject> List(bool training)
    {
        lock (_gate)
        {
            return [.. _jobs.Values.Where(j => j.IsTraining == training).OrderByDescending(j => j.CreatedAt).Select(j => j.ToJson())];
        }
    }

    /// <summary>Cancels a running job; a terminal one is returned unchanged.</summary>
    public JsonObject? Cancel(string id, bool deadlineHit = false)
    {
        ReplicateJob? job;
        lock (_gate)
        {
            if (!_jobs.TryGetValue(id, out job))
            {
                return null;
            }

            if (!job.IsTerminal)
            {
                job.Status = deadlineHit && job.StartedAt is null ? "aborted" : "canceled";
                job.CompletedAt = _scheduler.Now;
                job.Output = null;
            }
            else
            {
                return job.ToJson();
            }
        }

        job.Terminal.TrySetResult();
        Notify(job, "completed");
        lock (_gate)
        {
            return job.ToJson();
        }
    }

    public bool ModelExists(string owner, string name)
    {
        lock (_gate)
        {
            return _models.ContainsKey($"{owner}/{name}");
        }
    }

    public JsonObject? GetModel(string owner, string name)
    {
        lock (_gate)
        {
            return _models.TryGetValue($"{owner}/{name}", out var model) ? (JsonObject)model.DeepClone() : null;
        }
    }

    public List<JsonObject> ListModels()
    {
        lock (_gate)
        {
            return [.. _models.Values.Select(m => (JsonObject)m.DeepClone())];
        }
    }

    public List<JsonObject> ListVersions(string owner, string name)
    {
        lock (_gate)
        {
            return _versions.TryGetValue($"{owner}/{name}", out var list) ? [.. list.Select(v => (JsonObject)v.DeepClone())] : [];
        }
    }

    /// <summary>Adds a model; false when it exists already.</summary>
    public bool AddModel(JsonObject model)
    {
        var key = $"{model.GetString("owner")}/{model.GetString("name")}";
        lock (_gate)
        {
            if (_models.ContainsKey(key))
            {
                return false;
            }

            _models[key] = model;
            _versions[key] = [];
            return true;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            foreach (var job in _jobs.Values)
            {
                job.Terminal.TrySetCanceled();
            }

            _jobs.Clear();
            _models.Clear();
            _versions.Clear();
        }

        SeedModels();
    }

    private void SeedModels()
    {
        foreach (var entry in _options.Replicate.Models)
        {
            var parts = entry.Split('/');
            AddModel(NewModel(parts[0], parts[1], "private", "gpu-t4", null));
        }
    }

    public static JsonObject NewModel(string owner, string name, string visibility, string hardware, string? description) => new()
    {
        ["url"] = $"https://replicate.com/{owner}/{name}",
        ["owner"] = owner,
        ["name"] = name,
        ["description"] = description,
        ["visibility"] = visibility,
        ["hardware"] = hardware,
        ["github_url"] = null,
        ["paper_url"] = null,
        ["license_url"] = null,
        ["run_count"] = 0,
        ["cover_image_url"] = null,
        ["default_example"] = null,
        ["latest_version"] = null,
        ["is_official"] = false,
    };

    private void Start(string id)
    {
        ReplicateJob? job;
        lock (_gate)
        {
            if (!_jobs.TryGetValue(id, out job) || job.Status != "starting")
            {
                return;
            }

            job.Status = "processing";
            job.StartedAt = _scheduler.Now;
            job.Logs = job.IsTraining ? "Starting training...\nflux_train_replicate: 0% 0/1000\n" : "Running prediction...\n";
        }

        Notify(job, "logs");
    }

    private void Complete(string id)
    {
        ReplicateJob? job;
        lock (_gate)
        {
            if (!_jobs.TryGetValue(id, out job) || job.IsTerminal)
            {
                return;
            }

            var now = _scheduler.Now;
            job.StartedAt ??= now;
            job.CompletedAt = now;
            switch (job.Outcome)
            {
                case JobOutcome.Canceled:
                    job.Status = "canceled";
                    break;
                case JobOutcome.Failed or JobOutcome.Moderated or JobOutcome.Rejected:
                    job.Status = "failed";
                    job.Error = job.Outcome == JobOutcome.Failed
                        ? "Emulated model failure: the model raised an exception."
                        : "NSFW content detected. Try running it again, or try a different prompt.";
                    job.Logs += "Traceback (most recent call last):\nRuntimeError: emulated failure\n";
                    break;
                default:
                    job.Status = "succeeded";
                    job.Output = job.IsTraining ? TrainingOutput(job) : ReplicateOutputs.For(job);
                    job.Logs += job.IsTraining ? "flux_train_replicate: 100% 1000/1000\nTraining complete.\n" : "Done.\n";
                    break;
            }
        }

        job.Terminal.TrySetResult();
        if (job.Status == "succeeded")
        {
            Notify(job, "output");
        }

        Notify(job, "completed");
    }

    private JsonObject TrainingOutput(ReplicateJob job)
    {
        var versionId = Ids.Hex64();
        var destination = job.Destination ?? "emulator/trained";
        if (_models.TryGetValue(destination, out var model))
        {
            var version = new JsonObject
            {
                ["id"] = versionId,
                ["created_at"] = ProviderJson.Timestamp(_scheduler.Now),
                ["cog_version"] = "0.9.0",
                ["openapi_schema"] = new JsonObject(),
            };
            _versions[destination].Insert(0, version);
            model["latest_version"] = version.DeepClone();
        }

        return new JsonObject
        {
            ["version"] = $"{destination}:{versionId}",
            ["weights"] = RequestUrls.Output(job.Origin, job.Id, "weights.safetensors"),
        };
    }

    /// <summary>Sends the webhook for <paramref name="evt"/> when the job asked for it (default: output + completed).</summary>
    private void Notify(ReplicateJob job, string evt)
    {
        if (job.Webhook is null)
        {
            return;
        }

        var wanted = job.WebhookEventsFilter is { Count: > 0 } filter ? filter.Contains(evt) : evt is "output" or "completed";
        if (!wanted)
        {
            return;
        }

        byte[] body;
        lock (_gate)
        {
            body = Encoding.UTF8.GetBytes(job.ToJson().ToJsonString(ProviderJson.Options));
        }

        var id = Ids.WebhookMessage();
        var timestamp = _scheduler.Now.ToUnixTimeSeconds();
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["webhook-id"] = id,
            ["webhook-timestamp"] = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["webhook-signature"] = WebhookSigning.StandardWebhooks(_options.Replicate.WebhookSecret, id, timestamp, body),
            ["User-Agent"] = "Replicate-Webhooks/1.0",
        };
        _webhooks.Enqueue(ProviderIds.Replicate, job.Webhook, body, headers);
    }
}
