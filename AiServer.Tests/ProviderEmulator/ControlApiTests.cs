using System.Net;
using System.Net.Http.Json;
using AiServer.Tests.Infrastructure;

namespace AiServer.Tests.ProviderEmulator;

[Collection(EmulatorCollection.Name)]
public sealed class ControlApiTests(EmulatorFixture emulator) : IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await emulator.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Theory]
    [InlineData("""{"provider":"nope","kind":"error"}""", "provider")]
    [InlineData("""{"provider":"replicate","kind":"explode"}""", "kind")]
    [InlineData("""{"provider":"replicate","kind":"error","rate":1.5}""", "rate")]
    [InlineData("""{"provider":"replicate","kind":"error","statusCode":200}""", "statusCode")]
    [InlineData("""{"provider":"replicate","kind":"latency"}""", "latencyMs")]
    [InlineData("""{"provider":"replicate","kind":"error","count":0}""", "count")]
    [InlineData("""{"provider":"replicate","kind":"error","path":"v1"}""", "path")]
    [InlineData("""{"provider":"replicate","kind":"error","unknown":1}""", "unknown")]
    [InlineData("""not json""", "body")]
    [InlineData("""{"provider":"replicate","kind":"error","statusCode":"500"}""", "statusCode")]
    [InlineData("""{"provider":"replicate","kind":"error","rate":"1"}""", "rate")]
    [InlineData("""{"provider":"replicate","kind":"error","method":"FOO BAR"}""", "method")]
    [InlineData("""{"provider":"replicate","kind":"error","method":"GET\r\nX: y"}""", "method")]
    public async Task AddFault_BadInput_Returns400ProblemJsonNamingTheField(string body, string field)
    {
        using var response = await emulator.Control.PostJsonAsync("_emulator/faults", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.ReadObjectAsync())["errors"]!.AsObject().ContainsKey(field));
    }

    [Fact]
    public async Task Faults_AddListDelete_RoundTrips()
    {
        using var added = await emulator.AddFaultAsync(new { provider = "replicate", kind = "error" });
        var id = (string)(await added.ReadObjectAsync())["id"]!;
        Assert.Equal($"/_emulator/faults/{id}", added.Headers.Location?.OriginalString);

        using var list = await emulator.Control.GetAsync("_emulator/faults", TestContext.Current.CancellationToken);
        Assert.Equal(id, (string?)(await list.ReadJsonAsync()).AsArray().Single()!["id"]);

        using var deleted = await emulator.Control.DeleteAsync($"_emulator/faults/{id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using var missing = await emulator.Control.DeleteAsync($"_emulator/faults/{id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ClearFaults_Delete_RemovesAll()
    {
        using var a = await emulator.AddFaultAsync(new { provider = "*", kind = "error" });
        using var cleared = await emulator.Control.DeleteAsync("_emulator/faults", TestContext.Current.CancellationToken);
        using var client = emulator.Client("bfl");
        using var response = await client.GetAsync("v1/credits", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Requests_AfterCalls_RecordsProviderMethodPathStatusAndRedactsSecrets()
    {
        using var replicate = emulator.Client("replicate");
        using var bfl = emulator.Client("bfl");
        using var first = await replicate.PostJsonAsync("v1/models/a/b/predictions", """{"input":{"x":1}}""");
        using var second = await bfl.GetAsync("v1/credits", TestContext.Current.CancellationToken);

        using var response = await emulator.Control.GetAsync("_emulator/requests?provider=replicate", TestContext.Current.CancellationToken);
        var recorded = (await response.ReadJsonAsync()).AsArray().Single()!;

        Assert.Equal("replicate", (string?)recorded["provider"]);
        Assert.Equal("POST", (string?)recorded["method"]);
        Assert.Equal("/replicate/v1/models/a/b/predictions", (string?)recorded["path"]);
        Assert.Equal(201, (int?)recorded["statusCode"]);
        Assert.Equal(17, (long?)recorded["bodySize"]);
        Assert.Equal("***", (string?)recorded["headers"]!["Authorization"]);
        Assert.DoesNotContain(EmulatorHost.ReplicateKey, recorded.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_ApiKeyInQuery_IsRedacted()
    {
        using var anonymous = emulator.Client("supabase", authenticated: false);
        using var call = await anonymous.GetAsync($"auth/v1/health?apikey={EmulatorHost.SupabaseKey}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, call.StatusCode);

        using var response = await emulator.Control.GetAsync("_emulator/requests?provider=supabase", TestContext.Current.CancellationToken);
        var recorded = (await response.ReadJsonAsync()).AsArray().Single()!;

        Assert.Equal("?apikey=***", (string?)recorded["query"]);
    }

    [Fact]
    public async Task Requests_UnknownProviderFilter_Returns400()
    {
        using var response = await emulator.Control.GetAsync("_emulator/requests?provider=nope", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Reset_AfterStateChanges_ClearsFaultsRequestsAndProviderState()
    {
        using var fault = await emulator.AddFaultAsync(new { provider = "elevenlabs", kind = "error" });
        using var db = emulator.Client("supabase");
        using var insert = await db.PostJsonAsync("rest/v1/things", """{"a":1}""");
        using var replicate = emulator.Client("replicate");
        using var created = await replicate.PostJsonAsync("v1/models/a/b/predictions", """{"input":{}}""");
        var id = (string)(await created.ReadObjectAsync())["id"]!;

        using var reset = await emulator.Control.PostAsync("_emulator/reset", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Empty((await (await emulator.Control.GetAsync("_emulator/faults", TestContext.Current.CancellationToken)).ReadJsonAsync()).AsArray());
        Assert.Empty((await (await emulator.Control.GetAsync("_emulator/requests", TestContext.Current.CancellationToken)).ReadJsonAsync()).AsArray());
        using var table = await db.GetAsync("rest/v1/things", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, table.StatusCode);
        using var prediction = await replicate.GetAsync($"v1/predictions/{id}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, prediction.StatusCode);
    }

    [Theory]
    [InlineData("replicate", "v1/nothing-here", "detail")]
    [InlineData("bfl", "v2/nothing", "detail")]
    [InlineData("supabase", "graphql/v1", "code")]
    public async Task UnknownProviderPath_Any_Returns404InProviderFormat(string provider, string path, string field)
    {
        using var client = emulator.Client(provider);
        using var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotNull((await response.ReadObjectAsync())[field]);
    }

    [Fact]
    public async Task Health_Get_Returns200()
    {
        using var response = await emulator.Control.GetAsync("health", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
