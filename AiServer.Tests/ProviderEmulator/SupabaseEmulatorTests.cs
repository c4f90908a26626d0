using System.Net;
using System.Text.Json.Nodes;

namespace AiServer.Tests.ProviderEmulator;

[Collection(EmulatorCollection.Name)]
public sealed class SupabaseEmulatorTests(EmulatorFixture emulator) : IAsyncLifetime
{
    private const string Representation = "return=representation";
    private readonly HttpClient _db = emulator.Client("supabase");

    public async ValueTask InitializeAsync()
    {
        await emulator.ResetAsync();
        using var seeded = await _db.SendAsync(
            HttpMethod.Post,
            "rest/v1/jobs",
            """
            [{"id":1,"kind":"speech","status":"done","cost":1.5,"note":"Alpha"},
             {"id":2,"kind":"speech","status":"failed","cost":3,"note":"beta"},
             {"id":3,"kind":"caption","status":"done","cost":0.5,"note":null},
             {"id":4,"kind":"lip-sync","status":"running","cost":10,"note":"alphabet"}]
            """);
        Assert.Equal(HttpStatusCode.Created, seeded.StatusCode);
    }

    public ValueTask DisposeAsync()
    {
        _db.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Insert_Minimal_Returns201WithoutBody()
    {
        using var response = await _db.SendAsync(HttpMethod.Post, "rest/v1/events", """{"name":"x"}""", ("Prefer", "return=minimal"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Insert_Representation_ReturnsRowsWithGeneratedIdsAndSelectedColumns()
    {
        using var response = await _db.SendAsync(HttpMethod.Post, "rest/v1/events?select=id,name", """[{"name":"a","extra":1},{"name":"b","extra":2}]""", ("Prefer", Representation));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(Representation, response.Headers.GetValues("Preference-Applied").Single());
        var rows = (await response.ReadJsonAsync()).AsArray();
        Assert.Equal([1, 2], rows.Select(r => (int)r!["id"]!));
        Assert.Null(rows[0]!.AsObject()["extra"]);
        Assert.False(rows[0]!.AsObject().ContainsKey("extra"));
    }

    [Theory]
    [InlineData("status=eq.done", new[] { 1, 3 })]
    [InlineData("status=neq.done", new[] { 2, 4 })]
    [InlineData("cost=gt.1.5", new[] { 2, 4 })]
    [InlineData("cost=gte.1.5", new[] { 1, 2, 4 })]
    [InlineData("cost=lt.1.5", new[] { 3 })]
    [InlineData("cost=lte.3", new[] { 1, 2, 3 })]
    [InlineData("note=like.alpha*", new[] { 4 })]
    [InlineData("note=ilike.alpha*", new[] { 1, 4 })]
    [InlineData("kind=in.(caption,lip-sync)", new[] { 3, 4 })]
    [InlineData("note=is.null", new[] { 3 })]
    [InlineData("note=not.is.null", new[] { 1, 2, 4 })]
    [InlineData("status=not.eq.done", new[] { 2, 4 })]
    [InlineData("kind=eq.speech&status=eq.done", new[] { 1 })]
    [InlineData("or=(status.eq.failed,cost.gte.10)", new[] { 2, 4 })]
    [InlineData("or=(kind.eq.caption,and(kind.eq.speech,cost.gt.2))", new[] { 2, 3 })]
    [InlineData("not.or=(status.eq.done,note.is.null)", new[] { 2, 4 })]
    [InlineData("kind=eq.speech&or=(note.ilike.*ALPHA*,cost.eq.3)", new[] { 1, 2 })]
    [InlineData("or=(kind.in.(caption,lip-sync),id.eq.1)", new[] { 1, 3, 4 })]
    public async Task Select_Filter_ReturnsMatchingRows(string filter, int[] expectedIds)
    {
        using var response = await _db.GetAsync($"rest/v1/jobs?select=id&order=id&{filter}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expectedIds, (await response.ReadJsonAsync()).AsArray().Select(r => (int)r!["id"]!));
    }

    [Fact]
    public async Task Select_OrderDescNullsLastLimitOffset_ReturnsPageWithContentRange()
    {
        using var response = await _db.GetAsync("rest/v1/jobs?select=id,cost&order=cost.desc&limit=2&offset=1", TestContext.Current.CancellationToken);

        Assert.Equal([2, 1], (await response.ReadJsonAsync()).AsArray().Select(r => (int)r!["id"]!));
        Assert.Equal("1-2/*", response.Content.Headers.GetValues("Content-Range").Single());
    }

    [Fact]
    public async Task Select_CountExactPartial_Returns206WithTotal()
    {
        using var response = await _db.GetAsync("rest/v1/jobs?order=id&limit=2", ("Prefer", "count=exact"));

        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("0-1/4", response.Content.Headers.GetValues("Content-Range").Single());
    }

    [Fact]
    public async Task Head_CountExact_ReturnsContentRangeWithoutBody()
    {
        using var response = await _db.SendAsync(HttpMethod.Head, "rest/v1/jobs?status=eq.done", null, ("Prefer", "count=exact"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("0-1/2", response.Content.Headers.GetValues("Content-Range").Single());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Insert_HeadersOnly_Returns201WithLocation()
    {
        using var response = await _db.SendAsync(HttpMethod.Post, "rest/v1/jobs", """{"id":9,"status":"new"}""", ("Prefer", "return=headers-only"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/jobs?id=eq.9", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Select_RangeHeader_LimitsRows()
    {
        using var response = await _db.GetAsync("rest/v1/jobs?order=id", ("Range", "1-2"), ("Range-Unit", "items"));

        Assert.Equal([2, 3], (await response.ReadJsonAsync()).AsArray().Select(r => (int)r!["id"]!));
        Assert.Equal("1-2/*", response.Content.Headers.GetValues("Content-Range").Single());
    }

    [Fact]
    public async Task Select_OrderByTextAscending_SortsNullsLast()
    {
        using var response = await _db.GetAsync("rest/v1/jobs?select=id&order=note.asc", TestContext.Current.CancellationToken);

        Assert.Equal([1, 4, 2, 3], (await response.ReadJsonAsync()).AsArray().Select(r => (int)r!["id"]!));
    }

    [Fact]
    public async Task Select_SingleObjectOneRow_ReturnsObject()
    {
        using var response = await _db.GetAsync("rest/v1/jobs?id=eq.2", ("Accept", "application/vnd.pgrst.object+json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.pgrst.object+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("failed", (string?)(await response.ReadObjectAsync())["status"]);
    }

    [Theory]
    [InlineData("id=eq.99", 0)]
    [InlineData("status=eq.done", 2)]
    public async Task Select_SingleObjectNotExactlyOne_Returns406Pgrst116(string filter, int count)
    {
        using var response = await _db.GetAsync($"rest/v1/jobs?{filter}", ("Accept", "application/vnd.pgrst.object+json"));

        Assert.Equal(HttpStatusCode.NotAcceptable, response.StatusCode);
        var error = await response.ReadObjectAsync();
        Assert.Equal("PGRST116", (string?)error["code"]);
        Assert.Equal($"The result contains {count} rows", (string?)error["details"]);
        Assert.True(error.ContainsKey("hint"));
        Assert.NotNull(error["message"]);
    }

    [Fact]
    public async Task Upsert_MergeDuplicatesOnConflict_UpdatesExistingRow()
    {
        using var response = await _db.SendAsync(HttpMethod.Post, "rest/v1/jobs?on_conflict=id", """{"id":2,"status":"retrying"}""", ("Prefer", "return=representation,resolution=merge-duplicates"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var row = (await response.ReadJsonAsync()).AsArray().Single()!;
        Assert.Equal("retrying", (string?)row["status"]);
        Assert.Equal("speech", (string?)row["kind"]);
        using var count = await _db.GetAsync("rest/v1/jobs?select=id", TestContext.Current.CancellationToken);
        Assert.Equal(4, (await count.ReadJsonAsync()).AsArray().Count);
    }

    [Fact]
    public async Task Upsert_IgnoreDuplicatesOnOtherColumn_KeepsExistingAndInsertsNew()
    {
        using var response = await _db.SendAsync(HttpMethod.Post, "rest/v1/jobs?on_conflict=note", """[{"note":"beta","status":"x"},{"note":"gamma","status":"y"}]""", ("Prefer", "return=representation,resolution=ignore-duplicates"));

        var rows = (await response.ReadJsonAsync()).AsArray();
        Assert.Equal(["gamma"], rows.Select(r => (string)r!["note"]!));
        using var beta = await _db.GetAsync("rest/v1/jobs?note=eq.beta", ("Accept", "application/vnd.pgrst.object+json"));
        Assert.Equal("failed", (string?)(await beta.ReadObjectAsync())["status"]);
    }

    [Fact]
    public async Task Insert_DuplicatePrimaryKey_Returns409UniqueViolation()
    {
        using var response = await _db.SendAsync(HttpMethod.Post, "rest/v1/jobs", """{"id":1,"status":"dup"}""");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var error = await response.ReadObjectAsync();
        Assert.Equal("23505", (string?)error["code"]);
        Assert.Equal("Key (id)=(1) already exists.", (string?)error["details"]);
    }

    [Fact]
    public async Task Update_Representation_ReturnsUpdatedRowsAndMinimalReturns204()
    {
        using var updated = await _db.SendAsync(HttpMethod.Patch, "rest/v1/jobs?status=eq.done", """{"status":"archived"}""", ("Prefer", Representation));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal([1, 3], (await updated.ReadJsonAsync()).AsArray().Select(r => (int)r!["id"]!).Order());

        using var minimal = await _db.SendAsync(HttpMethod.Patch, "rest/v1/jobs?id=eq.4", """{"status":"done"}""");
        Assert.Equal(HttpStatusCode.NoContent, minimal.StatusCode);
    }

    [Fact]
    public async Task Delete_Filtered_RemovesOnlyMatchingRows()
    {
        using var deleted = await _db.SendAsync(HttpMethod.Delete, "rest/v1/jobs?kind=eq.speech", null, ("Prefer", Representation));
        Assert.Equal(2, (await deleted.ReadJsonAsync()).AsArray().Count);

        using var rest = await _db.GetAsync("rest/v1/jobs?select=id&order=id", TestContext.Current.CancellationToken);
        Assert.Equal([3, 4], (await rest.ReadJsonAsync()).AsArray().Select(r => (int)r!["id"]!));
    }

    [Fact]
    public async Task Select_UnknownTable_Returns404Pgrst205()
    {
        using var response = await _db.GetAsync("rest/v1/nope", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("PGRST205", (string?)(await response.ReadObjectAsync())["code"]);
    }

    [Fact]
    public async Task Select_BadOperator_Returns400Pgrst100()
    {
        using var response = await _db.GetAsync("rest/v1/jobs?id=foo.1", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await response.ReadObjectAsync();
        Assert.Equal("PGRST100", (string?)error["code"]);
        Assert.Equal(["code", "details", "hint", "message"], error.Select(p => p.Key).Order());
    }

    [Fact]
    public async Task Rpc_ConfiguredFunction_ReturnsConfiguredJson()
    {
        using var response = await _db.SendAsync(HttpMethod.Post, "rest/v1/rpc/get_stats", "{}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"jobs":3,"ok":true}"""), await response.ReadJsonAsync()));
    }

    [Fact]
    public async Task Rpc_UnknownFunction_Returns404Pgrst202()
    {
        using var response = await _db.SendAsync(HttpMethod.Post, "rest/v1/rpc/missing_fn", "{}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("PGRST202", (string?)(await response.ReadObjectAsync())["code"]);
    }

    [Fact]
    public async Task Select_MissingApiKey_Returns401GatewayMessage()
    {
        using var anonymous = emulator.Client("supabase", authenticated: false);
        using var response = await anonymous.GetAsync("rest/v1/jobs", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("No API key found in request", (string?)(await response.ReadObjectAsync())["message"]);
    }

    [Fact]
    public async Task Select_WrongApiKey_Returns401InvalidApiKey()
    {
        using var client = emulator.Client("supabase", authenticated: false);
        client.DefaultRequestHeaders.Add("apikey", "wrong");
        using var response = await client.GetAsync("rest/v1/jobs", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Invalid API key", (string?)(await response.ReadObjectAsync())["message"]);
    }

    [Fact]
    public async Task AuthHealth_ValidKey_ReturnsGoTrue()
    {
        using var response = await _db.GetAsync("auth/v1/health", TestContext.Current.CancellationToken);

        Assert.Equal("GoTrue", (string?)(await response.ReadObjectAsync())["name"]);
    }
}
