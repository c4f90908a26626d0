using AiServer.ProviderEmulator.Options;
using Microsoft.Extensions.Options;

namespace AiServer.Tests.ProviderEmulator;

public sealed class EmulatorOptionsTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var options = new EmulatorOptions();

        var result = new EmulatorOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(TimeSpan.FromSeconds(2), options.JobDuration);
        Assert.Null(options.Replicate.ApiKey);
        Assert.StartsWith("whsec_", options.Replicate.WebhookSecret, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(2), options.JobDurationFor("bfl"));
    }

    [Fact]
    public async Task StartAsync_InvalidConfiguration_FailsNamingTheKey()
    {
        await using var app = AiServer.ProviderEmulator.Program.BuildApp(
            ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default", "None", "--Emulator:Bfl:MaxActiveTasks", "0"]);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Emulator:Bfl:MaxActiveTasks", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JobDurationFor_ProviderOverride_WinsOverGlobal()
    {
        var options = new EmulatorOptions { JobDuration = TimeSpan.FromSeconds(5) };
        options.Bfl.JobDuration = TimeSpan.FromMilliseconds(100);

        Assert.Equal(TimeSpan.FromMilliseconds(100), options.JobDurationFor("bfl"));
        Assert.Equal(TimeSpan.FromSeconds(5), options.JobDurationFor("replicate"));
    }

    [Fact]
    public void Validate_InvalidValues_FailNamingEachKey()
    {
        var options = new EmulatorOptions { JobDuration = TimeSpan.FromHours(2), MaxRecordedRequests = 0 };
        options.Replicate.WebhookSecret = "plain";
        options.Replicate.Models.Add("no-slash");
        options.ElevenLabs.ApiKey = " ";
        options.SyncLabs.JobDuration = TimeSpan.FromSeconds(-1);
        options.Bfl.MaxActiveTasks = 0;
        options.Supabase.RequestsPerMinute = 0;
        options.Supabase.Functions["f"] = "{not json";

        var result = new EmulatorOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        foreach (var key in new[]
        {
            "Emulator:JobDuration", "Emulator:MaxRecordedRequests", "Emulator:Replicate:WebhookSecret", "Emulator:Replicate:Models",
            "Emulator:ElevenLabs:ApiKey", "Emulator:SyncLabs:JobDuration", "Emulator:Bfl:MaxActiveTasks",
            "Emulator:Supabase:RequestsPerMinute", "Emulator:Supabase:Functions:f",
        })
        {
            Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
