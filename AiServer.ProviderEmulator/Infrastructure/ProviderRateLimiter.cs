using AiServer.ProviderEmulator.Options;
using Microsoft.Extensions.Options;

namespace AiServer.ProviderEmulator.Infrastructure;

/// <summary>Optional fixed one-minute windows per provider (<c>Emulator:{Provider}:RequestsPerMinute</c>).</summary>
internal sealed class ProviderRateLimiter(IOptions<EmulatorOptions> options, TimeProvider time) : IResettable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (DateTimeOffset Start, int Count)> _windows = new(StringComparer.Ordinal);

    /// <summary>Counts the request; returns null when allowed, else the time until the window resets.</summary>
    public TimeSpan? TryAcquire(string provider, out int remaining)
    {
        remaining = int.MaxValue;
        if (options.Value.ForProvider(provider)?.RequestsPerMinute is not { } limit)
        {
            return null;
        }

        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_windows.TryGetValue(provider, out var window) || now - window.Start >= Window)
            {
                window = (now, 0);
            }

            if (window.Count >= limit)
            {
                remaining = 0;
                return window.Start + Window - now;
            }

            window.Count++;
            _windows[provider] = window;
            remaining = limit - window.Count;
            return null;
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _windows.Clear();
        }
    }
}
