using System.Text.Json.Nodes;

namespace AiServer.Tests.ProviderEmulator;

/// <summary>Bounded polling for asynchronous emulator state, failing with what it waited for.</summary>
internal static class Eventually
{
    public static async Task<JsonObject> PollAsync(HttpClient client, string path, Func<JsonObject, bool> done, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(limit);
        JsonObject? last = null;
        try
        {
            while (true)
            {
                using var response = await client.GetAsync(path, cts.Token);
                response.EnsureSuccessStatusCode();
                last = JsonNode.Parse(await response.Content.ReadAsStringAsync(cts.Token))!.AsObject();
                if (done(last))
                {
                    return last;
                }

                await Task.Delay(25, cts.Token);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Assert.Fail($"Timed out after {limit.TotalSeconds}s waiting for {what}; last body: {last?.ToJsonString()}");
            throw;
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(limit);
        try
        {
            while (!await condition())
            {
                await Task.Delay(25, cts.Token);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Assert.Fail($"Timed out after {limit.TotalSeconds}s waiting for {what}.");
        }
    }
}
