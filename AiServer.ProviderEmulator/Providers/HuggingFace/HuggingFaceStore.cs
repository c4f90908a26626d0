using AiServer.ProviderEmulator.Infrastructure;

namespace AiServer.ProviderEmulator.Providers.HuggingFace;

/// <summary>Per-model warm-up (legacy 503 "currently loading") and pending Gradio calls.</summary>
internal sealed class HuggingFaceStore(TimeProvider time) : IResettable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _loadStarted = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, GradioCall> _calls = new(StringComparer.Ordinal);

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
        }
    }
}
