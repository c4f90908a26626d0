using AiServer.ServiceDefaults.Resilience;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AiServer.Tests.ServiceDefaults.Resilience;

public sealed class CircuitBreakerOptionsTests
{
    private static CircuitBreakerOptions Build(string name, Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var options = new CircuitBreakerOptions();
        new CircuitBreakerOptionsSetup(configuration).Configure(name, options);
        return options;
    }

    private static string[] Validate(string name, CircuitBreakerOptions options) =>
        [.. new CircuitBreakerOptionsValidator().Validate(name, options).Failures ?? []];

    [Fact]
    public void Constructor_NoConfiguration_HasBuiltInDefaults()
    {
        var options = new CircuitBreakerOptions();

        Assert.Equal(5, options.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RecoveryTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), options.MonitoringPeriod);
        Assert.Equal(2, options.SuccessThreshold);
        Assert.Equal(1, options.HalfOpenMaxProbes);
        Assert.Equal(1, options.MinimumReporters);
        Assert.Equal("CircuitBreakers", CircuitBreakerOptions.SectionName);
    }

    [Theory]
    [InlineData("replicate", 5, 30, 60, 3)]
    [InlineData("supabase", 3, 10, 30, 2)]
    [InlineData("elevenlabs", 4, 20, 45, 2)]
    [InlineData("synclabs", 4, 25, 50, 2)]
    [InlineData("huggingface", 6, 45, 90, 3)]
    [InlineData("bfl", 5, 30, 60, 2)]
    [InlineData("file-download", 3, 5, 15, 2)]
    public void Configure_Preset_MatchesDesignTable(string name, int failures, int recovery, int window, int successes)
    {
        var options = Build(name, []);

        Assert.Equal(failures, options.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(recovery), options.RecoveryTimeout);
        Assert.Equal(TimeSpan.FromSeconds(window), options.MonitoringPeriod);
        Assert.Equal(successes, options.SuccessThreshold);
        Assert.Empty(Validate(name, options));
    }

    [Fact]
    public void Presets_Names_AreTheSevenOfTheSeed() =>
        Assert.Equal(["replicate", "supabase", "elevenlabs", "synclabs", "huggingface", "bfl", "file-download"], CircuitBreakerPresets.Names);

    [Fact]
    public void Configure_EnvironmentDefaults_ApplyToNamesWithoutPreset()
    {
        var options = Build("custom", new()
        {
            ["CB_FAILURE_THRESHOLD"] = "7",
            ["CB_RECOVERY_TIMEOUT"] = "12000",
            ["CB_MONITORING_PERIOD"] = "45000",
        });

        Assert.Equal(7, options.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(12), options.RecoveryTimeout);
        Assert.Equal(TimeSpan.FromSeconds(45), options.MonitoringPeriod);
    }

    [Fact]
    public void Configure_SectionOverride_WinsOverPresetAndEnvironment()
    {
        var options = Build("replicate", new()
        {
            ["CB_FAILURE_THRESHOLD"] = "9",
            ["CircuitBreakers:replicate:FailureThreshold"] = "2",
            ["CircuitBreakers:replicate:RecoveryTimeout"] = "00:00:07",
            ["CircuitBreakers:replicate:MonitoringPeriod"] = "1500",
            ["CircuitBreakers:replicate:SuccessThreshold"] = "4",
            ["CircuitBreakers:replicate:HalfOpenMaxProbes"] = "2",
            ["CircuitBreakers:replicate:MinimumReporters"] = "3",
        });

        Assert.Equal(2, options.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(7), options.RecoveryTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.MonitoringPeriod);
        Assert.Equal(4, options.SuccessThreshold);
        Assert.Equal(2, options.HalfOpenMaxProbes);
        Assert.Equal(3, options.MinimumReporters);
    }

    [Fact]
    public void Validate_OutOfRangeOverrides_MessagesNameTheKeys()
    {
        var options = Build("replicate", new()
        {
            ["CircuitBreakers:replicate:FailureThreshold"] = "0",
            ["CircuitBreakers:replicate:RecoveryTimeout"] = "-5",
            ["CircuitBreakers:replicate:HalfOpenMaxProbes"] = "500",
            ["CircuitBreakers:replicate:MinimumReporters"] = "0",
            ["CircuitBreakers:replicate:SuccessThreshold"] = "0",
            ["CircuitBreakers:replicate:MonitoringPeriod"] = "2.00:00:00",
        });

        var failures = Validate("replicate", options);

        Assert.Contains("CircuitBreakers:replicate:FailureThreshold must be between 1 and 10000 (was 0).", failures);
        Assert.Contains("CircuitBreakers:replicate:RecoveryTimeout must be a positive duration of at most 1 day (was -00:00:00.0050000).", failures);
        Assert.Contains("CircuitBreakers:replicate:HalfOpenMaxProbes must be between 1 and 100 (was 500).", failures);
        Assert.Contains("CircuitBreakers:replicate:MinimumReporters must be between 1 and 1000 (was 0).", failures);
        Assert.Contains("CircuitBreakers:replicate:SuccessThreshold must be between 1 and 1000 (was 0).", failures);
        Assert.Contains("CircuitBreakers:replicate:MonitoringPeriod must be a positive duration of at most 1 day (was 2.00:00:00).", failures);
    }

    [Fact]
    public void Validate_UnparseableEnvironmentValue_NamesTheVariable()
    {
        var options = Build("custom", new() { ["CB_RECOVERY_TIMEOUT"] = "soon", ["CB_FAILURE_THRESHOLD"] = "0" });

        var failures = Validate("custom", options);

        Assert.Contains("CB_RECOVERY_TIMEOUT has the value 'soon', which is not a number (durations: milliseconds or hh:mm:ss).", failures);
        Assert.Contains("CB_FAILURE_THRESHOLD must be between 1 and 10000 (was 0).", failures);
    }

    [Fact]
    public async Task HostStart_InvalidBreakerConfiguration_FailsNamingTheKey()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["CircuitBreakers:bfl:FailureThreshold"] = "-1" });
        builder.AddFleetCircuitBreakers();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("CircuitBreakers:bfl:FailureThreshold must be between 1 and 10000 (was -1).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FleetSyncOptions_Constructor_HasDefaults()
    {
        var options = new FleetSyncOptions();

        Assert.True(options.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ResyncInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ProbeLeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(2), options.ProbeLeaseIdleRelease);
        Assert.Equal(TimeSpan.FromSeconds(2), options.OperationTimeout);
        Assert.Empty(options.Names);
        Assert.Empty(new FleetSyncOptionsValidator().Validate(null, options).Failures ?? []);
    }

    [Fact]
    public void FleetSyncOptions_InvalidValues_MessagesNameTheKeys()
    {
        var options = new FleetSyncOptions { ResyncInterval = TimeSpan.Zero, ProbeLeaseDuration = TimeSpan.FromSeconds(1), ProbeLeaseIdleRelease = TimeSpan.FromSeconds(5) };
        options.Names.Add("Bad Name");

        var failures = new FleetSyncOptionsValidator().Validate(null, options).Failures!.ToArray();

        Assert.Contains("CircuitBreakerSync:ResyncInterval must be between 00:00:00.0100000 and 00:10:00 (was 00:00:00).", failures);
        Assert.Contains("CircuitBreakerSync:ProbeLeaseIdleRelease (00:00:05) must be shorter than CircuitBreakerSync:ProbeLeaseDuration (00:00:01).", failures);
        Assert.Contains(failures, f => f.StartsWith("CircuitBreakerSync:Names contains 'Bad Name'", StringComparison.Ordinal));
    }

    [Fact]
    public void FleetHttpResilienceOptions_Constructor_HasDefaults()
    {
        var options = new FleetHttpResilienceOptions();

        Assert.Equal(TimeSpan.FromSeconds(30), options.TotalRequestTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), options.AttemptTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), options.DefaultThrottleCooldown);
        Assert.Equal(TimeSpan.FromMinutes(5), options.MaxThrottleCooldown);
    }

    [Fact]
    public void FleetHttpResilienceOptions_AttemptLongerThanTotal_FailsNamingTheClient()
    {
        var options = new FleetHttpResilienceOptions { AttemptTimeout = TimeSpan.FromSeconds(40) };

        var error = Assert.Throws<InvalidOperationException>(() => options.Validate("replicate"));

        Assert.Equal("HttpClient 'replicate': AttemptTimeout (00:00:40) must not exceed TotalRequestTimeout (00:00:30).", error.Message);
    }

    [Theory]
    [InlineData(RetryPreset.ExternalApi, "externalAPI", 3, 1000, 10000, 2.0, true)]
    [InlineData(RetryPreset.Database, "database", 2, 500, 2000, 2.0, false)]
    [InlineData(RetryPreset.Critical, "critical", 5, 2000, 30000, 1.5, true)]
    public void RetryPresetOptions_For_MatchesSeed(RetryPreset preset, string name, int attempts, int baseMs, int maxMs, double exponent, bool jitter)
    {
        var options = RetryPresetOptions.For(preset);

        Assert.Equal(name, options.Name);
        Assert.Equal(attempts, options.MaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(baseMs), options.BaseDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(maxMs), options.MaxDelay);
        Assert.Equal(exponent, options.ExponentialBase);
        Assert.Equal(jitter, options.UseJitter);
    }

    [Fact]
    public void InstanceIdentity_Parse_ReadsServiceInstanceId()
    {
        Assert.Equal("api-2", InstanceIdentity.Parse("service.name=api, service.instance.id=api-2,deployment.environment=dev"));
        Assert.Null(InstanceIdentity.Parse("service.name=api"));
        Assert.Null(InstanceIdentity.Parse(null));
    }
}
