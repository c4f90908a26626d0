using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AiServer.ProviderEmulator.Infrastructure;
using AiServer.ProviderEmulator.Options;
using AiServer.ProviderEmulator.Providers.HuggingFace;
using Microsoft.Extensions.Options;

namespace AiServer.ProviderEmulator.Apis;

/// <summary>
/// The parts of a Gradio 5 app (the JoyCaption Space) that the official clients (@gradio/client, gradio_client)
/// need to connect and predict: <c>/config</c>, the queue protocol <c>sse_v3</c> (<c>/queue/join</c> then the
/// <c>/queue/data</c> event stream of the session) besides the REST <c>/call</c> API in <see cref="HuggingFaceApi"/>.
/// </summary>
internal static class GradioSpaceApi
{
    public const string JoyCaptionPrompt = "Write a descriptive caption for this image in a formal tone.";
    private const string ApiPrefix = "/gradio_api";
    private const string StreamChat = "stream_chat";

    /// <summary>Component ids of the emulated app: six inputs, two outputs, one button.</summary>
    private static readonly (int Id, string Type, string Label)[] Components =
    [
        (1, "image", "Input Image"),
        (2, "dropdown", "Caption Type"),
        (3, "dropdown", "Caption Length"),
        (4, "checkboxgroup", "Extra Options"),
        (5, "textbox", "Person/Character Name (if supported)"),
        (6, "textbox", "Custom Prompt (try at your own risk)"),
        (7, "textbox", "Prompt that was used"),
        (8, "textbox", "Caption"),
        (9, "button", "Caption"),
    ];

    public static void Map(RouteGroupBuilder open)
    {
        open.MapGet("/spaces/{owner}/{space}/config", Config).WithName("HfGradioConfig").WithSummary("Gradio app config (Gradio 5: api_prefix /gradio_api)");
        foreach (var prefix in new[] { "/spaces/{owner}/{space}/gradio_api", "/spaces/{owner}/{space}" })
        {
            var v = prefix.EndsWith("gradio_api", StringComparison.Ordinal) ? "5" : "4";
            open.MapPost(prefix + "/queue/join", QueueJoin).WithName("HfGradioQueueJoin" + v).WithSummary("Join the queue (sse_v3)");
            open.MapGet(prefix + "/queue/data", QueueData).WithName("HfGradioQueueData" + v).WithSummary("A session's queue events (sse_v3)");
            open.MapGet(prefix + "/heartbeat/{sessionHash}", Heartbeat).WithName("HfGradioHeartbeat" + v).WithSummary("Session keep-alive stream");
        }
    }

    /// <summary>
    /// <c>GET /config</c>: the blocks config a client reads first — components, the one dependency (<c>fn_index</c> 0,
    /// <c>api_name</c> <c>stream_chat</c>), <c>root</c>, <c>api_prefix</c> and the queue protocol.
    /// </summary>
    internal static IResult Config(string owner, string space, HttpRequest request)
    {
        var root = $"{RequestUrls.Origin(request)}/huggingface/spaces/{owner}/{space}";
        var components = new JsonArray([.. Components.Select(c => (JsonNode)new JsonObject
        {
            ["id"] = c.Id,
            ["type"] = c.Type,
            ["props"] = new JsonObject { ["label"] = c.Label, ["visible"] = true, ["interactive"] = c.Id <= 6 },
            ["skip_api"] = c.Type == "button",
            ["component_class_id"] = c.Type,
            ["key"] = null,
        })]);
        var dependency = new JsonObject
        {
            ["id"] = 0,
            ["targets"] = new JsonArray(new JsonArray(9, "click")),
            ["inputs"] = new JsonArray(1, 2, 3, 4, 5, 6),
            ["outputs"] = new JsonArray(7, 8),
            ["backend_fn"] = true,
            ["js"] = null,
            ["queue"] = true,
            ["api_name"] = StreamChat,
            ["api_visibility"] = "public",
            ["scroll_to_output"] = false,
            ["show_progress"] = "full",
            ["batch"] = false,
            ["max_batch_size"] = 4,
            ["cancels"] = new JsonArray(),
            ["types"] = new JsonObject { ["generator"] = false, ["cancel"] = false },
            ["collects_event_data"] = false,
            ["trigger_after"] = null,
            ["trigger_only_on_success"] = false,
            ["trigger_mode"] = "once",
            ["show_api"] = true,
            ["connection"] = "sse",
        };
        return ProviderJson.Json(new JsonObject
        {
            ["version"] = "5.6.0",
            ["mode"] = "blocks",
            ["app_id"] = 4_508_923_771_215L,
            ["dev_mode"] = false,
            ["analytics_enabled"] = false,
            ["components"] = components,
            ["css"] = null,
            ["title"] = "JoyCaption Alpha Two",
            ["is_space"] = true,
            ["enable_queue"] = true,
            ["show_error"] = false,
            ["show_api"] = true,
            ["is_colab"] = false,
            ["max_file_size"] = null,
            ["stylesheets"] = new JsonArray(),
            ["theme"] = "default",
            ["protocol"] = "sse_v3",
            ["body_css"] = new JsonObject(),
            ["fill_height"] = false,
            ["fill_width"] = false,
            ["theme_hash"] = "emulator",
            ["layout"] = new JsonObject { ["id"] = 0, ["children"] = new JsonArray([.. Components.Select(c => (JsonNode)new JsonObject { ["id"] = c.Id })]) },
            ["dependencies"] = new JsonArray(dependency),
            ["root"] = root,
            ["username"] = null,
            ["api_prefix"] = ApiPrefix,
            ["space_id"] = $"{owner}/{space}",
            ["connect_heartbeat"] = false,
            ["page"] = new JsonObject
            {
                [""] = new JsonObject
                {
                    ["layout"] = new JsonObject { ["id"] = 0 },
                    ["components"] = new JsonArray([.. Components.Select(c => (JsonNode)c.Id)]),
                    ["dependencies"] = new JsonArray(0),
                },
            },
            ["pages"] = new JsonArray(new JsonArray("", "Home")),
            ["current_page"] = "",
        });
    }

    /// <summary><c>POST /queue/join</c> <c>{data, event_data, fn_index, trigger_id, session_hash}</c> → <c>{event_id}</c>.</summary>
    internal static async Task<IResult> QueueJoin(string owner, string space, HttpRequest request, HuggingFaceStore store, IOptions<EmulatorOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await ProviderJson.ReadObjectAsync(request, cancellationToken);
        var missing = new List<string>();
        if (body?["data"] is not JsonArray data)
        {
            missing.Add("data");
            data = [];
        }

        var session = body?.GetString("session_hash");
        if (string.IsNullOrWhiteSpace(session))
        {
            missing.Add("session_hash");
        }

        if (body?["fn_index"] is not JsonValue fnValue || !fnValue.TryGetValue<int>(out var fnIndex))
        {
            missing.Add("fn_index");
            fnIndex = -1;
        }

        if (missing.Count > 0)
        {
            return ProviderJson.Json(
                new JsonObject { ["detail"] = new JsonArray([.. missing.Select(f => (JsonNode)new JsonObject { ["type"] = "missing", ["loc"] = new JsonArray("body", f), ["msg"] = "Field required" })]) },
                StatusCodes.Status422UnprocessableEntity);
        }

        if (fnIndex != 0)
        {
            return ProviderJson.Json(new JsonObject { ["detail"] = $"Function index {fnIndex} does not exist." }, StatusCodes.Status422UnprocessableEntity);
        }

        var duration = JobDurations.For(request, ProviderIds.HuggingFace, options.Value);
        var call = new GradioCall(Ids.Uuid().Replace("-", "", StringComparison.Ordinal), $"{owner}/{space}", StreamChat, (JsonArray)data.DeepClone(), time.GetUtcNow(), JobOutcomes.From(request, body!), duration, session);
        store.Add(call);
        return ProviderJson.Json(new JsonObject { ["event_id"] = call.EventId });
    }

    /// <summary>
    /// <c>GET /queue/data?session_hash=</c>: every queued call of the session in join order — <c>estimation</c>,
    /// <c>process_starts</c>, <c>process_generating</c> at half the job duration, <c>process_completed</c> at its end —
    /// then <c>close_stream</c> once the session has nothing left (Gradio runs one call at a time per function).
    /// </summary>
    internal static async Task QueueData(string owner, string space, HttpContext context, HuggingFaceStore store, IOptions<EmulatorOptions> options, TimeProvider time)
    {
        var response = context.Response;
        var session = context.Request.Query["session_hash"].ToString();
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var ct = context.RequestAborted;
        var caption = options.Value.HuggingFace.Caption;
        try
        {
            if (session.Length == 0)
            {
                await WriteAsync(response, new JsonObject { ["msg"] = "unexpected_error", ["message"] = "Session not found.", ["session_not_found"] = true, ["success"] = false }, ct);
                return;
            }

            while (store.TakeNext($"{owner}/{space}", session) is { } call)
            {
                var eta = call.Duration.TotalSeconds;
                await WriteAsync(response, new JsonObject { ["msg"] = "estimation", ["event_id"] = call.EventId, ["rank"] = 0, ["queue_size"] = 1, ["rank_eta"] = eta }, ct);
                await WriteAsync(response, new JsonObject { ["msg"] = "process_starts", ["event_id"] = call.EventId, ["eta"] = eta }, ct);
                await Task.Delay(JobDurations.Remaining(call.CreatedAt + (call.Duration / 2), time), time, ct);
                var partial = new JsonObject { ["data"] = new JsonArray(JoyCaptionPrompt, caption[..(caption.Length / 2)]), ["is_generating"] = true };
                await WriteAsync(response, new JsonObject { ["msg"] = "process_generating", ["event_id"] = call.EventId, ["output"] = partial, ["success"] = true }, ct);
                await Task.Delay(JobDurations.Remaining(call.CreatedAt + call.Duration, time), time, ct);
                var done = call.Outcome == JobOutcome.Succeeded
                    ? new JsonObject { ["msg"] = "process_completed", ["event_id"] = call.EventId, ["output"] = new JsonObject { ["data"] = new JsonArray(JoyCaptionPrompt, caption), ["is_generating"] = false, ["duration"] = eta, ["average_duration"] = eta, ["render_config"] = null, ["changed_state_ids"] = new JsonArray() }, ["success"] = true, ["title"] = null }
                    : new JsonObject { ["msg"] = "process_completed", ["event_id"] = call.EventId, ["output"] = new JsonObject { ["error"] = "The emulated Space failed (emulator outcome).", ["title"] = "Error", ["visible"] = true, ["duration"] = 10 }, ["success"] = false, ["title"] = null };
                await WriteAsync(response, done, ct);
            }

            await WriteAsync(response, new JsonObject { ["msg"] = "close_stream", ["event_id"] = null }, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // the client went away
        }
    }

    /// <summary>
    /// <c>GET /heartbeat/{session_hash}</c>: <c>data: ALIVE</c> at once and every 15 s until the client leaves (or the
    /// emulator stops). gradio_client (Python) opens it for every client and re-requests it at once when it ends, so a
    /// 404 here would make it spin; its 20 s read timeout needs the 15 s beat.
    /// </summary>
    internal static async Task Heartbeat(string owner, string space, string sessionHash, HttpContext context, IHostApplicationLifetime lifetime, TimeProvider time)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            for (;;)
            {
                await response.WriteAsync("data: ALIVE\n\n", Encoding.UTF8, stop.Token);
                await response.Body.FlushAsync(stop.Token);
                await Task.Delay(TimeSpan.FromSeconds(15), time, stop.Token);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the client went away or the emulator is stopping
        }
    }

    /// <summary>The <c>/info</c> parameters of <c>/stream_chat</c> as Gradio 5 describes them.</summary>
    public static JsonObject Info() => new()
    {
        ["named_endpoints"] = new JsonObject
        {
            ["/" + StreamChat] = new JsonObject
            {
                ["parameters"] = new JsonArray(
                    Parameter("input_image", "Input Image", "Image", FileDataType(), "filepath", hasDefault: false, null),
                    Parameter("caption_type", "Caption Type", "Dropdown", StringType(), "Literal['Descriptive', 'Descriptive (Informal)', 'Training Prompt', 'MidJourney', 'Booru tag list', 'Booru-like tag list', 'Art Critic', 'Product Listing', 'Social Media Post']", hasDefault: true, "Descriptive"),
                    Parameter("caption_length", "Caption Length", "Dropdown", StringType(), "Literal['any', 'very short', 'short', 'medium-length', 'long', 'very long']", hasDefault: true, "long"),
                    Parameter("extra_options", "Extra Options", "Checkboxgroup", new JsonObject { ["type"] = "array", ["items"] = StringType() }, "list[str]", hasDefault: true, new JsonArray()),
                    Parameter("name_input", "Person/Character Name (if supported)", "Textbox", StringType(), "str", hasDefault: true, ""),
                    Parameter("custom_prompt", "Custom Prompt (try at your own risk)", "Textbox", StringType(), "str", hasDefault: true, "")),
                ["returns"] = new JsonArray(Return("Prompt that was used"), Return("Caption")),
                ["show_api"] = true,
            },
        },
        ["unnamed_endpoints"] = new JsonObject(),
    };

    private static JsonObject StringType() => new() { ["type"] = "string" };

    private static JsonObject FileDataType() => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["path"] = StringType(),
            ["url"] = StringType(),
            ["orig_name"] = StringType(),
            ["mime_type"] = StringType(),
            ["meta"] = new JsonObject { ["type"] = "object" },
        },
        ["required"] = new JsonArray("path"),
    };

    private static JsonObject Parameter(string name, string label, string component, JsonObject type, string pythonType, bool hasDefault, JsonNode? defaultValue) => new()
    {
        ["label"] = label,
        ["parameter_name"] = name,
        ["parameter_has_default"] = hasDefault,
        ["parameter_default"] = defaultValue,
        ["type"] = type,
        ["python_type"] = new JsonObject { ["type"] = pythonType, ["description"] = "" },
        ["component"] = component,
    };

    private static JsonObject Return(string label) => new()
    {
        ["label"] = label,
        ["type"] = StringType(),
        ["python_type"] = new JsonObject { ["type"] = "str", ["description"] = "" },
        ["component"] = "Textbox",
    };

    private static async Task WriteAsync(HttpResponse response, JsonObject message, CancellationToken ct)
    {
        await response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"data: {message.ToJsonString()}\n\n"), Encoding.UTF8, ct);
        await response.Body.FlushAsync(ct);
    }
}
