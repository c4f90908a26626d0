using System.Net;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace AiServer.Tests.AppHost;

/// <summary>
/// The dashboard's Restart (Aspire's resource command) on a service: DCP sends SIGTERM and kills what has not exited
/// 6 s later, and Aspire gives up on a stop after about 15 s ("Failed to stop resource", the resource then stays down).
/// Found by the rolling-restart drill: with the OTLP collector away (no dashboard, as here) the services' final
/// telemetry flush held the exit for 16 s. Each service must stop within DCP's grace and come back serving.
/// </summary>
[Collection(WholeAppCollection.Name)]
public sealed class RestartCommandTests(WholeAppFixture app)
{
    [Theory]
    [InlineData("api")]
    [InlineData("speech-worker")]
    public async Task RestartCommand_StopsTheServiceWithinDcpsGrace_AndANewProcessServes(string resource)
    {
        // Arrange
        await app.WaitHealthyAsync(TimeSpan.FromMinutes(1));
        // The last instance: CrashRestartTests SIGKILLs the first api replica's process, found as its launcher's child,
        // and this collection's tests share one app.
        var victim = app.Instances(resource)[^1];
        var launcher = WholeAppFixture.Pid(victim);
        var commands = app.App.Services.GetRequiredService<ResourceCommandService>();

        // Act
        var result = await commands.ExecuteCommandAsync(victim.ResourceId, KnownResourceCommands.RestartCommand, TestContext.Current.CancellationToken);

        // Assert: the stop succeeded (no SIGKILL timeout), and the same instance runs again in a new process and is ready.
        Assert.True(result.Success, $"Restart of {victim.ResourceId} failed: {result.Message}{Environment.NewLine}{app.Describe()}");
        await app.WaitUntilAsync(
            async () =>
            {
                var instance = app.Instances(resource).Single(i => i.ResourceId == victim.ResourceId);
                if (!WholeAppFixture.IsHealthy(instance) || WholeAppFixture.Pid(instance) == launcher)
                {
                    return false;
                }

                using var ready = await app.Http.GetAsync(new Uri(WholeAppFixture.DirectUrl(instance), "/health/ready"));
                return ready.StatusCode == HttpStatusCode.OK;
            },
            TimeSpan.FromMinutes(2),
            $"{victim.ResourceId} to run again in a new process and answer /health/ready with 200",
            TimeSpan.FromMilliseconds(200));
        await app.WaitHealthyAsync(TimeSpan.FromMinutes(1));
    }
}
