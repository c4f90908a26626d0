using System.Text.Json;
using AiServer.ProviderEmulator.Faults;
using AiServer.ProviderEmulator.Infrastructure;
using AiServer.ProviderEmulator.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiServer.ProviderEmulator.Apis;

/// <summary>The emulator's own control API under <c>/_emulator</c>: faults, recorded requests, webhook log, reset.</summary>
public static class ControlApi
{
    // Strict: unknown fields and numbers sent as strings ("statusCode":"500") are refused, naming the field.
    private static readonly JsonSerializerOptions StrictJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
    };

    public static IEndpointRouteBuilder MapControlApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/_emulator").WithTags("Emulator");
        api.MapPost("/faults", AddFault).WithName("EmulatorAddFault").WithSummary("Add a fault");
        api.MapGet("/faults", ListFaults).WithName("EmulatorListFaults").WithSummary("List active faults");
        api.MapDelete("/faults", ClearFaults).WithName("EmulatorClearFaults").WithSummary("Remove all faults");
        api.MapDelete("/faults/{id}", RemoveFault).WithName("EmulatorRemoveFault").WithSummary("Remove one fault");
        api.MapGet("/requests", ListRequests).WithName("EmulatorListRequests").WithSummary("Requests that reached a provider path");
        api.MapDelete("/requests", ClearRequests).WithName("EmulatorClearRequests").WithSummary("Forget recorded requests");
        api.MapGet("/webhooks", ListWebhooks).WithName("EmulatorListWebhooks").WithSummary("Webhook deliveries and refusals");
        api.MapPost("/reset", Reset).WithName("EmulatorReset").WithSummary("Clear faults, requests, webhooks and all provider state");
        return app;
    }

    internal static async Task<Results<Created<object>, ValidationProblem>> AddFault(HttpRequest request, FaultStore faults, ILogger<FaultStore> logger, CancellationToken cancellationToken)
    {
        FaultRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<FaultRequest>(request.Body, StrictJson, cancellationToken);
        }
        catch (JsonException ex)
        {
            // "$.statusCode" names the field whose value has the wrong type; anything else is about the body as a whole.
            var field = ex.Path is ['$', '.', .. var name] && name.All(char.IsAsciiLetterOrDigit) ? name : "body";
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = ["The body must be a JSON fault object: " + ex.Message] });
        }

        if (body is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["The body must be a JSON fault object."] });
        }

        var (rule, errors) = faults.Add(body);
        if (rule is null)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid fault");
        }

        EmulatorLog.FaultAdded(logger, rule.Id, rule.Kind.ToString(), rule.Provider, rule.Path);
        return TypedResults.Created($"/_emulator/faults/{rule.Id}", rule.ToView());
    }

    internal static Ok<IReadOnlyList<object>> ListFaults(FaultStore faults) => TypedResults.Ok(faults.List());

    internal static NoContent ClearFaults(FaultStore faults)
    {
        faults.Reset();
        return TypedResults.NoContent();
    }

    internal static Results<NoContent, NotFound> RemoveFault(string id, FaultStore faults) =>
        faults.Remove(id) ? TypedResults.NoContent() : TypedResults.NotFound();

    internal static Results<Ok<IReadOnlyList<RecordedRequest>>, ValidationProblem> ListRequests(RequestJournal journal, string? provider, int? limit)
    {
        if (provider is not null && !ProviderIds.All.Contains(provider.ToLowerInvariant()))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["provider"] = ["Unknown provider; use one of " + string.Join(", ", ProviderIds.All) + "."] });
        }

        if (limit is < 1)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit must be at least 1."] });
        }

        return TypedResults.Ok(journal.List(provider, limit));
    }

    internal static NoContent ClearRequests(RequestJournal journal)
    {
        journal.Reset();
        return TypedResults.NoContent();
    }

    internal static Ok<IReadOnlyList<WebhookAttempt>> ListWebhooks(WebhookDispatcher webhooks, string? provider) => TypedResults.Ok(webhooks.List(provider));

    internal static NoContent Reset(IEnumerable<IResettable> state, ILogger<FaultStore> logger)
    {
        foreach (var part in state)
        {
            part.Reset();
        }

        EmulatorLog.StateReset(logger);
        return TypedResults.NoContent();
    }
}
