using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiServer.Providers.Http;
using AiServer.Providers.Telemetry;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiServer.Providers.Supabase;

/// <summary>
/// Supabase REST (the seed's <c>supabaseReliable</c>): select, insert, update, upsert, delete, rpc and the probe, through
/// the <c>supabase</c> pipeline (database retry preset). Rows are (de)serialized with <see cref="JsonSerializerDefaults.Web"/>
/// rules (use <c>JsonPropertyName</c> for snake_case columns, or <see cref="JsonObject"/>). Every call's latency is
/// recorded as <c>database_response_time_ms</c>.
/// </summary>
internal sealed class SupabaseClient
{
    private const string SingleObject = "application/vnd.pgrst.object+json";

    private readonly ProviderTransport<SupabaseOptions> _transport;
    private readonly ProviderMetrics _metrics;

    public SupabaseClient(IHttpClientFactory factory, IOptionsMonitor<SupabaseOptions> options, ProviderMetrics metrics, ILogger<SupabaseClient> logger)
    {
        _metrics = metrics;
        _transport = new ProviderTransport<SupabaseOptions>(factory, ProviderNames.Supabase, () => options.CurrentValue, ParseError, logger)
        {
            ExceptionFactory = static (status, error, operation) => new SupabaseException(operation, status, error.Code, error.Message, error.Details, error.Hint),
        };
        Options = options;
    }

    private IOptionsMonitor<SupabaseOptions> Options { get; }

    /// <summary><c>GET /rest/v1/{table}?...</c>: the rows matching <paramref name="query"/>.</summary>
    public Task<IReadOnlyList<T>> SelectAsync<T>(string table, SupabaseQuery? query = null, string operation = "select", CancellationToken cancellationToken = default) =>
        MeasureAsync(operation, table, async () =>
        {
            using var request = Request(HttpMethod.Get, table, query ?? new SupabaseQuery().Select("*"), operation);
            return (IReadOnlyList<T>)await SendAsync<List<T>>(request, operation, cancellationToken).ConfigureAwait(false);
        });

    /// <summary>
    /// One row as an object (<c>Accept: application/vnd.pgrst.object+json</c>); zero or several rows are a
    /// <see cref="SupabaseException"/> with code <c>PGRST116</c> (HTTP 406).
    /// </summary>
    public Task<T> SelectSingleAsync<T>(string table, SupabaseQuery query, string operation = "select-single", CancellationToken cancellationToken = default) =>
        MeasureAsync(operation, table, async () =>
        {
            using var request = Request(HttpMethod.Get, table, query, operation);
            request.Headers.Accept.Clear();
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(SingleObject));
            return await SendAsync<T>(request, operation, cancellationToken).ConfigureAwait(false);
        });

    /// <summary><c>POST /rest/v1/{table}</c> with <c>Prefer: return=representation</c>: the inserted rows. <paramref name="rows"/> is one row or a list.</summary>
    public Task<IReadOnlyList<T>> InsertAsync<T>(string table, object rows, string operation = "insert", CancellationToken cancellationToken = default) =>
        WriteAsync<T>(HttpMethod.Post, table, rows, null, "return=representation", operation, cancellationToken);

    /// <summary>Insert or update on conflict (<c>Prefer: resolution=merge-duplicates</c>, optional <c>on_conflict</c> columns).</summary>
    public Task<IReadOnlyList<T>> UpsertAsync<T>(string table, object rows, string? onConflict = null, string operation = "upsert", CancellationToken cancellationToken = default)
    {
        var query = new SupabaseQuery();
        if (!string.IsNullOrEmpty(onConflict))
        {
            query.OnConflict(onConflict);
        }

        return WriteAsync<T>(HttpMethod.Post, table, rows, query, "resolution=merge-duplicates,return=representation", operation, cancellationToken);
    }

    /// <summary><c>PATCH /rest/v1/{table}?filters</c>: the updated rows. A filter is required (no accidental whole-table update).</summary>
    public Task<IReadOnlyList<T>> UpdateAsync<T>(string table, object patch, SupabaseQuery filter, string operation = "update", CancellationToken cancellationToken = default)
    {
        RequireFilter(filter);
        return WriteAsync<T>(HttpMethod.Patch, table, patch, filter, "return=representation", operation, cancellationToken);
    }

    /// <summary><c>DELETE /rest/v1/{table}?filters</c>: the deleted rows. A filter is required.</summary>
    public Task<IReadOnlyList<T>> DeleteAsync<T>(string table, SupabaseQuery filter, string operation = "delete", CancellationToken cancellationToken = default)
    {
        RequireFilter(filter);
        return WriteAsync<T>(HttpMethod.Delete, table, null, filter, "return=representation", operation, cancellationToken);
    }

    /// <summary><c>POST /rest/v1/rpc/{function}</c> with the arguments object.</summary>
    public Task<T> RpcAsync<T>(string function, object? arguments = null, string operation = "rpc", CancellationToken cancellationToken = default) =>
        MeasureAsync(operation, "rpc/" + function, async () =>
        {
            ArgumentException.ThrowIfNullOrEmpty(function);
            using var request = Request(HttpMethod.Post, "rpc/" + Uri.EscapeDataString(function), null, operation);
            request.Content = JsonContent.Create(arguments ?? new JsonObject(), options: ProviderJson.CamelCase);
            return await SendAsync<T>(request, operation, cancellationToken).ConfigureAwait(false);
        });

    /// <summary>The probe: <c>GET /auth/v1/health</c>, plus one row of <see cref="SupabaseOptions.HealthCheckTable"/> when set.</summary>
    public async Task<HealthCheckResult> HealthCheckAsync(CancellationToken cancellationToken = default)
    {
        const string operation = "health-check";
        var options = _transport.RequireConfigured(operation);
        var watch = Stopwatch.StartNew();
        await MeasureAsync(operation, "auth", async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(options.BaseUri, "auth/v1/health"));
            Authorize(request, options);
            using var response = await _transport.SendAsync(request, operation, cancellationToken).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);

        var data = new Dictionary<string, object> { ["auth"] = "ok" };
        if (!string.IsNullOrWhiteSpace(options.HealthCheckTable))
        {
            await SelectAsync<JsonObject>(options.HealthCheckTable, new SupabaseQuery().Select("*").Limit(1), operation, cancellationToken).ConfigureAwait(false);
            data["table"] = options.HealthCheckTable;
        }

        data["latencyMs"] = Math.Round(watch.Elapsed.TotalMilliseconds, 1);
        return HealthCheckResult.Healthy("Supabase answered.", data);
    }

    private Task<IReadOnlyList<T>> WriteAsync<T>(HttpMethod method, string table, object? body, SupabaseQuery? query, string prefer, string operation, CancellationToken cancellationToken) =>
        MeasureAsync(operation, table, async () =>
        {
            using var request = Request(method, table, query, operation);
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body, body.GetType(), options: ProviderJson.CamelCase);
            }

            return (IReadOnlyList<T>)await SendAsync<List<T>>(request, operation, cancellationToken).ConfigureAwait(false);
        });

    private async Task<T> SendAsync<T>(HttpRequestMessage request, string operation, CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync(request, operation, cancellationToken).ConfigureAwait(false);
        return await _transport.ReadJsonAsync<T>(response, operation, ProviderJson.CamelCase, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> MeasureAsync<T>(string operation, string table, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        var success = false;
        try
        {
            var result = await call().ConfigureAwait(false);
            success = true;
            return result;
        }
        finally
        {
            _metrics.RecordDatabaseCall(operation, table, Stopwatch.GetElapsedTime(started).TotalMilliseconds, success);
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string table, SupabaseQuery? query, string operation)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        var options = _transport.RequireConfigured(operation);
        var path = "rest/v1/" + (table.StartsWith("rpc/", StringComparison.Ordinal) ? table : Uri.EscapeDataString(table));
        var qs = query?.ToQueryString();
        var request = new HttpRequestMessage(method, new Uri(options.BaseUri, string.IsNullOrEmpty(qs) ? path : path + "?" + qs));
        Authorize(request, options);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation(method == HttpMethod.Get || method == HttpMethod.Head ? "Accept-Profile" : "Content-Profile", options.Schema);
        return request;
    }

    private static void Authorize(HttpRequestMessage request, SupabaseOptions options)
    {
        request.Headers.TryAddWithoutValidation("apikey", options.ApiKey);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
    }

    private static void RequireFilter(SupabaseQuery filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (!filter.HasFilter)
        {
            throw new ArgumentException("Update and delete need at least one filter (PostgREST would touch every row).", nameof(filter));
        }
    }

    /// <summary>PostgREST <c>{code, details, hint, message}</c>; the gateway's <c>{message, hint}</c>.</summary>
    internal static ProviderError ParseError(int status, JsonNode? body, string text) =>
        body is JsonObject
            ? new ProviderError(ProviderJson.Text(body, "code"), ProviderJson.Text(body, "message") ?? text, ProviderJson.Text(body, "details"), ProviderJson.Text(body, "hint"))
            : new ProviderError(null, text);
}
