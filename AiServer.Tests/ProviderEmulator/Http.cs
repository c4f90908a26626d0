using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace AiServer.Tests.ProviderEmulator;

/// <summary>Small HTTP helpers for the emulator tests.</summary>
internal static class Http
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Json(JsonNode json) => new(json.ToJsonString(), Encoding.UTF8, "application/json");

    public static async Task<JsonNode> ReadJsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;

    public static async Task<JsonObject> ReadObjectAsync(this HttpResponseMessage response) =>
        (await response.ReadJsonAsync()).AsObject();

    public static async Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json) =>
        await client.PostAsync(path, Json(json), TestContext.Current.CancellationToken);

    public static async Task<HttpResponseMessage> GetAsync(this HttpClient client, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public static async Task<HttpResponseMessage> SendAsync(this HttpClient client, HttpMethod method, string path, string? json, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = Json(json);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public static Task<HttpResponseMessage> AddFaultAsync(this EmulatorFixture emulator, object fault) =>
        emulator.Control.PostAsJsonAsync("_emulator/faults", fault, TestContext.Current.CancellationToken);

    public static async Task<byte[]> DownloadAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
    }
}
