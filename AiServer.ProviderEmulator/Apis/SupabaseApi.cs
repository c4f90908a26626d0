using System.Globalization;
using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Infrastructure;
using AiServer.ProviderEmulator.Options;
using AiServer.ProviderEmulator.Providers.Supabase;
using Microsoft.Extensions.Options;

namespace AiServer.ProviderEmulator.Apis;

/// <summary>Supabase under <c>/supabase</c> (stands for <c>https://{ref}.supabase.co</c>): a PostgREST subset and the Auth health probe.</summary>
public static class SupabaseApi
{
    private const string SingleObject = "application/vnd.pgrst.object+json";

    public static IEndpointRouteBuilder MapSupabaseApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/supabase").WithTags("Supabase").RequireProviderKey(ProviderIds.Supabase);
        api.MapGet("/auth/v1/health", AuthHealth).WithName("SupabaseAuthHealth").WithSummary("GoTrue health");
        api.MapMethods("/rest/v1/rpc/{function}", [HttpMethods.Get, HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete], CallFunction)
            .WithName("SupabaseRpc").WithSummary("Call a configured function");
        api.MapMethods("/rest/v1/{table}", [HttpMethods.Get, HttpMethods.Head], ReadRows).WithName("SupabaseSelect").WithSummary("Select rows");
        api.MapPost("/rest/v1/{table}", InsertRows).WithName("SupabaseInsert").WithSummary("Insert or upsert rows");
        api.MapPatch("/rest/v1/{table}", UpdateRows).WithName("SupabaseUpdate").WithSummary("Update rows");
        api.MapDelete("/rest/v1/{table}", DeleteRows).WithName("SupabaseDelete").WithSummary("Delete rows");
        return app;
    }

    internal static IResult AuthHealth() => ProviderJson.Json(new JsonObject
    {
        ["version"] = "v2.170.0",
        ["name"] = "GoTrue",
        ["description"] = "GoTrue is a user registration and authentication API",
    });

    internal static async Task<IResult> CallFunction(string function, HttpRequest request, IOptions<EmulatorOptions> options, CancellationToken cancellationToken)
    {
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsPost(request.Method))
        {
            return ProviderErrors.Postgrest(StatusCodes.Status405MethodNotAllowed, "PGRST101", "Only GET and POST verbs are allowed");
        }

        if (!options.Value.Supabase.Functions.TryGetValue(function, out var json))
        {
            return ProviderErrors.Postgrest(
                StatusCodes.Status404NotFound,
                "PGRST202",
                $"Could not find the function public.{function} without parameters in the schema cache",
                $"Searched for the function public.{function} with parameters or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.");
        }

        if (HttpMethods.IsPost(request.Method))
        {
            // Arguments are accepted and ignored; an empty body means no arguments.
            using var reader = new StreamReader(request.Body);
            var text = await reader.ReadToEndAsync(cancellationToken);
            if (!string.IsNullOrWhiteSpace(text) && !IsJsonObject(text))
            {
                return ProviderErrors.Postgrest(StatusCodes.Status400BadRequest, "PGRST102", "Empty or invalid json");
            }
        }

        return ProviderJson.Json(JsonNode.Parse(json)!);
    }

    internal static IResult ReadRows(string table, HttpContext context, PostgrestStore store) => Run(context, () =>
    {
        var request = context.Request;
        var query = PostgrestQuery.Parse(request.Query, request.Headers.Range.FirstOrDefault());
        var prefer = Prefer.Parse(request);
        var (rows, total) = store.Select(table, query);
        var exact = prefer.Count is not null;
        context.Response.Headers.ContentRange = rows.Count == 0
            ? $"*/{(exact ? total.ToString(CultureInfo.InvariantCulture) : "*")}"
            : string.Create(CultureInfo.InvariantCulture, $"{query.Offset}-{query.Offset + rows.Count - 1}/{(exact ? total.ToString(CultureInfo.InvariantCulture) : "*")}");
        if (exact)
        {
            context.Response.Headers["Preference-Applied"] = "count=" + prefer.Count;
        }

        var partial = exact && rows.Count < total;
        if (HttpMethods.IsHead(request.Method))
        {
            return TypedResults.StatusCode(partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK);
        }

        return Rows(request, rows, partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK);
    });

    internal static async Task<IResult> InsertRows(string table, HttpContext context, PostgrestStore store)
    {
        var (ok, node) = await ProviderJson.ReadAnyAsync(context.Request, context.RequestAborted);
        return Run(context, () =>
        {
            var request = context.Request;
            List<JsonObject> rows = node switch
            {
                JsonObject obj when ok => [obj],
                JsonArray array when ok && array.All(i => i is JsonObject) => [.. array.Cast<JsonObject>()],
                _ => throw new PostgrestException(400, "PGRST102", "Empty or invalid json"),
            };
            var query = PostgrestQuery.Parse(request.Query, null);
            var prefer = Prefer.Parse(request);
            var written = store.Insert(table, rows, prefer.Resolution, query.OnConflict);
            prefer.Echo(context.Response);
            context.Response.Headers.ContentRange = "*/*";
            return prefer.Return switch
            {
                "representation" => Rows(request, [.. written.Select(query.Project)], StatusCodes.Status201Created),
                "headers-only" when written.Count > 0 && written[0]["id"] is { } id => Located(context, table, id),
                _ => TypedResults.StatusCode(StatusCodes.Status201Created),
            };
        });
    }

    internal static async Task<IResult> UpdateRows(string table, HttpContext context, PostgrestStore store)
    {
        var (ok, node) = await ProviderJson.ReadAnyAsync(context.Request, context.RequestAborted);
        return Run(context, () =>
        {
            if (!ok || node is not JsonObject patch)
            {
                throw new PostgrestException(400, "PGRST102", "Empty or invalid json");
            }

            var request = context.Request;
            var query = PostgrestQuery.Parse(request.Query, null);
            var prefer = Prefer.Parse(request);
            var updated = store.Update(table, query, patch);
            prefer.Echo(context.Response);
            context.Response.Headers.ContentRange = updated.Count == 0 ? "*/*" : $"0-{updated.Count - 1}/*";
            return prefer.Return == "representation"
                ? Rows(request, [.. updated.Select(query.Project)], StatusCodes.Status200OK)
                : TypedResults.NoContent();
        });
    }

    internal static IResult DeleteRows(string table, HttpContext context, PostgrestStore store) => Run(context, () =>
    {
        var request = context.Request;
        var query = PostgrestQuery.Parse(request.Query, null);
        var prefer = Prefer.Parse(request);
        var removed = store.Delete(table, query);
        prefer.Echo(context.Response);
        context.Response.Headers.ContentRange = removed.Count == 0 ? "*/*" : $"0-{removed.Count - 1}/*";
        return prefer.Return == "representation"
            ? Rows(request, [.. removed.Select(query.Project)], StatusCodes.Status200OK)
            : TypedResults.NoContent();
    });

    private static bool IsJsonObject(string text)
    {
        try
        {
            return JsonNode.Parse(text) is JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    private static IResult Run(HttpContext context, Func<IResult> action)
    {
        var profile = context.Request.Headers["Accept-Profile"].FirstOrDefault() ?? context.Request.Headers["Content-Profile"].FirstOrDefault();
        if (profile is not null && profile != "public")
        {
            return ProviderErrors.Postgrest(StatusCodes.Status406NotAcceptable, "PGRST106", "The schema must be one of the following: public", null, null);
        }

        try
        {
            return action();
        }
        catch (PostgrestException ex)
        {
            return ProviderErrors.Postgrest(ex.Status, ex.Code, ex.Message, ex.Details, ex.Hint);
        }
    }

    /// <summary>A JSON array, or the single object when <c>Accept: application/vnd.pgrst.object+json</c> (406 PGRST116 unless exactly one row).</summary>
    private static IResult Rows(HttpRequest request, List<JsonObject> rows, int status)
    {
        if (request.Headers.Accept.ToString().Contains(SingleObject, StringComparison.OrdinalIgnoreCase))
        {
            return rows.Count == 1
                ? ProviderJson.Json(rows[0], status == StatusCodes.Status206PartialContent ? StatusCodes.Status200OK : status, SingleObject + "; charset=utf-8")
                : ProviderErrors.Postgrest(
                    StatusCodes.Status406NotAcceptable,
                    "PGRST116",
                    "JSON object requested, multiple (or no) rows returned",
                    $"The result contains {rows.Count} rows");
        }

        return ProviderJson.Json(new JsonArray([.. rows]), status, "application/json; charset=utf-8");
    }

    private static IResult Located(HttpContext context, string table, JsonNode id)
    {
        context.Response.Headers.Location = $"/{table}?id=eq.{PostgrestFilter.Text(id)}";
        return TypedResults.StatusCode(StatusCodes.Status201Created);
    }

    /// <summary>The <c>Prefer</c> header: <c>return=</c>, <c>resolution=</c>, <c>count=</c>.</summary>
    private sealed record Prefer(string Return, string? Resolution, string? Count, bool ReturnGiven)
    {
        public static Prefer Parse(HttpRequest request)
        {
            string? ret = null, resolution = null, count = null;
            foreach (var header in request.Headers["Prefer"])
            {
                foreach (var part in (header ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    var kv = part.Split('=', 2);
                    if (kv.Length != 2)
                    {
                        continue;
                    }

                    switch (kv[0])
                    {
                        case "return" when kv[1] is "representation" or "minimal" or "headers-only":
                            ret = kv[1];
                            break;
                        case "resolution" when kv[1] is "merge-duplicates" or "ignore-duplicates":
                            resolution = kv[1];
                            break;
                        case "count" when kv[1] is "exact" or "planned" or "estimated":
                            count = kv[1];
                            break;
                    }
                }
            }

            return new Prefer(ret ?? "minimal", resolution, count, ret is not null);
        }

        public void Echo(HttpResponse response)
        {
            var applied = new List<string>();
            if (ReturnGiven)
            {
                applied.Add("return=" + Return);
            }

            if (Resolution is not null)
            {
                applied.Add("resolution=" + Resolution);
            }

            if (applied.Count > 0)
            {
                response.Headers["Preference-Applied"] = string.Join(", ", applied);
            }
        }
    }
}
