using System.Globalization;
using AiServer.ProviderEmulator.Options;

namespace AiServer.ProviderEmulator.Infrastructure;

/// <summary>
/// The duration of one job: the header <c>X-Emulator-Job-Duration</c> (seconds, or a TimeSpan such as
/// <c>00:00:30</c>; 0–3600 s) when a test wants one job slower or faster, else the configured duration.
/// </summary>
internal static class JobDurations
{
    public const string Header = "X-Emulator-Job-Duration";

    public static TimeSpan For(HttpRequest request, string provider, EmulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        var text = request.Headers[Header].ToString();
        TimeSpan? requested = null;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && !double.IsNaN(seconds))
        {
            requested = TimeSpan.FromSeconds(Math.Clamp(seconds, 0, 3600));
        }
        else if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span))
        {
            requested = span;
        }

        return requested is { } r && r >= TimeSpan.Zero && r <= TimeSpan.FromHours(1) ? r : options.JobDurationFor(provider);
    }

    /// <summary>How long until <paramref name="until"/>; zero once it has passed.</summary>
    public static TimeSpan Remaining(DateTimeOffset until, TimeProvider time)
    {
        var left = until - time.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
