using AiServer.ProviderEmulator.Infrastructure;

namespace AiServer.ProviderEmulator.Providers.HuggingFace;

/// <summary>Per-model warm-up (legacy 503 "currently loading") and pending Gradio calls.</summary>
internal sealed class HuggingFaceStore(TimeProvider time) : IResettable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _loadStarted = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, GradioCall> _calls = new(StringComparer.Ordinal);
    private readonly List<GradioCall> _queued = [];

    /// <summary>How long <paramref name="model"/> still needs to load; starts the clock on the first call.</summary>
    public TimeSpan RemainingLoad(string model, TimeSpan loadingTime)
    {
        if (loadingTime <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_loadStarted.TryGetValue(model, out var started))
            {
                _loadStarted[model] = started = now;
            }

            var left = started + loadingTime - now;
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    public void Add(GradioCall call)
    {
        lock (_gate)
        {
            _calls[call.EventId] = call;
            if (call.SessionHash is not null)
            {
                _queued.Add(call);
            }
        }
    }

    /// <summary>The oldest queued call of a session that no <c>/queue/data</c> stream has taken yet (and takes it).</summary>
    public GradioCall? TakeNext(string space, string sessionHash)
    {
        lock (_gate)
        {
            var index = _queued.FindIndex(c => c.Space == space && c.SessionHash == sessionHash);
            if (index < 0)
            {
                return null;
            }

            var call = _queued[index];
            _queued.RemoveAt(index);
            return call;
        }
    }

    public GradioCall? Find(string eventId)
    {
        lock (_gate)
        {
            return _calls.GetValueOrDefault(eventId);
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _loadStarted.Clear();
            _calls.Clear();
            _queued.Clear();
        }
    }
}
