using AiServer.ProviderEmulator.Apis;
using AiServer.ProviderEmulator.Faults;
using AiServer.ProviderEmulator.Infrastructure;
using AiServer.ProviderEmulator.Options;
using Microsoft.Extensions.Time.Testing;

namespace AiServer.Tests.ProviderEmulator;

/// <summary>Time-dependent parts of the emulator with a hand-moved clock instead of waiting.</summary>
public sealed class EmulatorUnitTests
{
    [Fact]
    public void TryAcquire_OverRequestsPerMinute_RefusesUntilTheWindowTurns()
    {
        var time = new FakeTimeProvider();
        var options = new EmulatorOptions();
        options.Replicate.RequestsPerMinute = 2;
        var limiter = new ProviderRateLimiter(Microsoft.Extensions.Options.Options.Create(options), time);

        Assert.Null(limiter.TryAcquire("replicate", out var remaining1));
        Assert.Null(limiter.TryAcquire("replicate", out var remaining2));
        time.Advance(TimeSpan.FromSeconds(20));
        var refusedFor = limiter.TryAcquire("replicate", out var remaining3);
        time.Advance(TimeSpan.FromSeconds(40));
        var afterWindow = limiter.TryAcquire("replicate", out _);

        Assert.Equal((1, 0, 0), (remaining1, remaining2, remaining3));
        Assert.Equal(TimeSpan.FromSeconds(40), refusedFor);
        Assert.Null(afterWindow);
        Assert.Null(limiter.TryAcquire("bfl", out _)); // no limit configured
    }

    [Fact]
    public void Decide_DurationElapsed_FaultNoLongerApplies()
    {
        var time = new FakeTimeProvider();
        var faults = new FaultStore(time);
        var (rule, errors) = faults.Add(new FaultRequest { Provider = "bfl", Kind = "error", DurationSeconds = 30 });
        Assert.Empty(errors);

        var before = faults.Decide("bfl", "GET", "/v1/credits");
        time.Advance(TimeSpan.FromSeconds(30));
        var after = faults.Decide("bfl", "GET", "/v1/credits");

        Assert.Same(rule, before);
        Assert.Null(after);
        Assert.Empty(faults.List());
    }

    [Fact]
    public void Decide_RateOneThird_HitsEveryThirdMatch()
    {
        var faults = new FaultStore(new FakeTimeProvider());
        faults.Add(new FaultRequest { Provider = "*", Path = "/v1/*", Kind = "reset", Rate = 1.0 / 3 });

        var hits = Enumerable.Range(0, 9).Select(_ => faults.Decide("replicate", "GET", "/v1/account") is not null).ToList();

        Assert.Equal([false, false, true, false, false, true, false, false, true], hits);
        Assert.Null(faults.Decide("replicate", "GET", "/v2/other"));
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h30m", 5400)]
    [InlineData("45", 45)]
    [InlineData("1500ms", 1.5)]
    public void ParseDuration_GoStyle_ReturnsSeconds(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), ReplicateApi.ParseDuration(text));

    [Theory]
    [InlineData("soon")]
    [InlineData("5x")]
    [InlineData("-3")]
    public void ParseDuration_Invalid_ReturnsNull(string text) => Assert.Null(ReplicateApi.ParseDuration(text));

    [Theory]
    [InlineData("/replicate/v1/predictions", "replicate", "/v1/predictions")]
    [InlineData("/Supabase/rest/v1/jobs", "supabase", "/rest/v1/jobs")]
    [InlineData("/files", "files", "/")]
    public void Resolve_ProviderPath_SplitsPrefix(string path, string provider, string rest) =>
        Assert.Equal((provider, rest), ProviderIds.Resolve(new Microsoft.AspNetCore.Http.PathString(path)));

    [Theory]
    [InlineData("/_emulator/faults")]
    [InlineData("/health")]
    [InlineData("/replicatex/v1")]
    public void Resolve_NonProviderPath_ReturnsNull(string path) =>
        Assert.Null(ProviderIds.Resolve(new Microsoft.AspNetCore.Http.PathString(path)));
}
