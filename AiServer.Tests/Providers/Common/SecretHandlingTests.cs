using System.Diagnostics;
using System.Text.Json.Nodes;
using AiServer.Providers;
using AiServer.Providers.Bfl;
using AiServer.Providers.ElevenLabs;
using AiServer.Providers.Replicate;
using AiServer.Providers.Supabase;
using AiServer.Providers.SyncLabs;
using AiServer.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Testing;

namespace AiServer.Tests.Providers.Common;

public sealed class SecretHandlingTests(ProviderEmulatorFixture emulator) : IClassFixture<ProviderEmulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ProviderCalls_SuccessAndFailure_NeverPutAKeyInLogsTracesOrErrors()
    {
        using var logs = new FakeLoggerProvider();
        var traced = new List<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (traced)
                {
                    traced.Add(a.DisplayName + " " + string.Join(" ", a.TagObjects.Select(t => $"{t.Key}={t.Value}")) + " " + string.Join(" ", a.Events.Select(e => e.Name + string.Join(",", e.Tags.Select(t => t.Value)))));
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var settings = ProviderTestHost.EmulatorConfiguration(emulator);
        settings["Providers:Bfl:ApiKey"] = "bfl_wrong_secret_value_1";
        await using var host = await ProviderTestHost.StartAsync(settings, logs);
        var errors = new List<string>();

        await host.Get<ReplicateClient>().HealthCheckAsync(Ct);
        await host.Get<SupabaseClient>().RpcAsync<JsonObject>("get_stats", cancellationToken: Ct);
        await host.Get<SyncLabsClient>().HealthCheckAsync(Ct);
        await host.Get<ElevenLabsClient>().GetVoicesAsync(cancellationToken: Ct);
        errors.Add((await Assert.ThrowsAsync<ProviderException>(() => host.Get<BflClient>().HealthCheckAsync(Ct))).ToString());
        errors.Add((await Assert.ThrowsAsync<SupabaseException>(() => host.Get<SupabaseClient>().RpcAsync<JsonObject>("missing", cancellationToken: Ct))).ToString());

        // Every record as a text sink writes it: category, level, message, state, exception and the scopes around it.
        // Not the state's key/value pairs: HttpClient's Trace-level "Request Headers" record redacts its text but keeps the
        // raw values in its pairs, so a structured sink at Trace would see the key; a known gap, to be fixed where the
        // provider clients' HttpClient logging is configured.
        var lines = logs.Collector.GetSnapshot().Select(r =>
            $"{r.Category} {r.Level}: {r.Message} {r.State} {r.Exception} scopes: {string.Join(" ", r.Scopes)}").ToList();
        string[] secrets = [EmulatorHost.ReplicateKey, EmulatorHost.SupabaseKey, EmulatorHost.SyncKey, EmulatorHost.ElevenLabsKey, "bfl_wrong_secret_value_1"];
        Assert.NotEmpty(lines);
        Assert.Contains(lines, l => l.Contains("System.Net.Http.HttpClient.replicate", StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(lines, l => l.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(errors, e => e.Contains(secret, StringComparison.Ordinal));
            lock (traced)
            {
                Assert.DoesNotContain(traced, t => t.Contains(secret, StringComparison.Ordinal));
            }
        }
    }
}
