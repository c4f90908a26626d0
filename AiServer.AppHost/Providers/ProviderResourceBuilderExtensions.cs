using Microsoft.Extensions.Configuration;

namespace AiServer.AppHost.Providers;

/// <summary>
/// Wires the provider keys and endpoints into the services. Run mode: a provider without a real key is served by the
/// local emulator (the embedded default); one with a key keeps its real API. Publish mode: no emulator, and every key is
/// a secret parameter, so a deployment asks for real keys instead of pointing at an emulator.
/// </summary>
public static class ProviderResourceBuilderExtensions
{
    /// <summary>The providers with no real key in the AppHost's configuration (all of them in publish mode).</summary>
    public static IReadOnlyList<string> ProvidersWithoutKey(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return ProviderCatalog.All.Where(p => KeyFrom(p, builder.Configuration) is null).Select(p => p.Section).ToList();
    }

    /// <summary>The provider emulator, or <see langword="null"/> when every provider has a key or the model is published.</summary>
    public static IResourceBuilder<ProjectResource>? AddProviderEmulatorWhenNeeded(this IDistributedApplicationBuilder builder, [ResourceName] string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ExecutionContext.IsPublishMode || builder.ProvidersWithoutKey().Count == 0)
        {
            return null;
        }

        return builder.AddProject<Projects.AiServer_ProviderEmulator>(name)
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health")
            .WithIconName("PlugDisconnected");
    }

    /// <summary>Gives a service every provider's key and base URL: real keys as secret parameters, the rest pointed at the emulator.</summary>
    public static IResourceBuilder<ProjectResource> WithProviders(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<ProjectResource>? emulator)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var app = builder.ApplicationBuilder;
        foreach (var provider in ProviderCatalog.All)
        {
            if (app.ExecutionContext.IsPublishMode || KeyFrom(provider, app.Configuration) is not null)
            {
                builder.WithEnvironment($"Providers__{provider.Section}__ApiKey", KeyParameter(app, provider));
            }
        }

        if (app.ExecutionContext.IsPublishMode)
        {
            // Supabase has one URL per project; the other providers' real base URLs are the services' defaults.
            builder.WithEnvironment("Providers__Supabase__BaseUrl", Parameter(app, "supabase-url", secret: false, "SUPABASE_URL"));
        }

        if (emulator is null)
        {
            return builder;
        }

        var emulated = app.ProvidersWithoutKey().ToHashSet(StringComparer.Ordinal);
        var endpoint = emulator.GetEndpoint("http");
        builder.WithEnvironment(context =>
        {
            foreach (var provider in ProviderCatalog.All.Where(p => emulated.Contains(p.Section)))
            {
                context.EnvironmentVariables[$"Providers__{provider.Section}__BaseUrl"] = ReferenceExpression.Create($"{endpoint}/{provider.EmulatorPrefix}");
                context.EnvironmentVariables[$"Providers__{provider.Section}__ApiKey"] = "emulator-key";
            }

            if (emulated.Contains("HuggingFace"))
            {
                // Hugging Face has three hosts: the inference router, the Hub, and the captioning Gradio Space.
                context.EnvironmentVariables["Providers__HuggingFace__BaseUrl"] = ReferenceExpression.Create($"{endpoint}/huggingface/hf-inference");
                context.EnvironmentVariables["Providers__HuggingFace__HubUrl"] = ReferenceExpression.Create($"{endpoint}/huggingface");
                context.EnvironmentVariables["Providers__HuggingFace__SpaceUrl"] = ReferenceExpression.Create($"{endpoint}/huggingface/spaces/fancyfeast/joy-caption-alpha-two");
            }

            // The emulator signs its webhooks with these (its defaults); the api verifies with them. BFL signs with the
            // secret we send along with each task.
            if (emulated.Contains("Replicate"))
            {
                context.EnvironmentVariables["Providers__Replicate__WebhookSecret"] = "whsec_" + Convert.ToBase64String("aiserver-provider-emulator-key"u8);
            }

            if (emulated.Contains("SyncLabs"))
            {
                context.EnvironmentVariables["Providers__SyncLabs__WebhookSecret"] = "sync-emulator-webhook-secret";
            }

            if (emulated.Contains("Bfl"))
            {
                context.EnvironmentVariables["Providers__Bfl__WebhookSecret"] = "bfl-emulator-webhook-secret";
            }

            // Outputs of emulated jobs are served by the emulator on loopback: downloads may reach its host:port and
            // no other loopback port (Redis, the other services).
            context.EnvironmentVariables["Providers__FileDownload__AllowedHosts__0"] = endpoint.Property(EndpointProperty.HostAndPort);
        });
        return builder.WaitFor(emulator);
    }

    private static IResourceBuilder<ParameterResource> KeyParameter(IDistributedApplicationBuilder app, ProviderDescriptor provider) =>
        Parameter(app, provider.KeyParameter, secret: true, provider.SeedKeyVariable, $"Providers:{provider.Section}:ApiKey");

    /// <summary>The real key from the AppHost's configuration (<c>Providers:{Section}:ApiKey</c> or the seed variable), if any.</summary>
    private static string? KeyFrom(ProviderDescriptor provider, IConfiguration configuration)
    {
        var key = configuration[$"Providers:{provider.Section}:ApiKey"];
        if (string.IsNullOrWhiteSpace(key))
        {
            key = configuration[provider.SeedKeyVariable];
        }

        return string.IsNullOrWhiteSpace(key) ? null : key;
    }

    /// <summary>One parameter per name, shared by every service; in run mode its value comes from the given keys.</summary>
    private static IResourceBuilder<ParameterResource> Parameter(IDistributedApplicationBuilder app, string name, bool secret, params string[] configurationKeys)
    {
        if (app.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == name) is { } existing)
        {
            return app.CreateResourceBuilder(existing);
        }

        if (app.ExecutionContext.IsPublishMode)
        {
            return app.AddParameter(name, secret: secret);
        }

        var value = configurationKeys.Select(k => app.Configuration[k]).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))
            ?? app.Configuration[$"Parameters:{name}"]
            ?? throw new DistributedApplicationException($"No value for parameter '{name}': set {string.Join(" or ", configurationKeys)}.");
        return app.AddParameter(name, value, secret: secret);
    }
}
