using AiServer.ProviderEmulator.Faults;
using AiServer.ProviderEmulator.Infrastructure;
using AiServer.ProviderEmulator.Options;
using AiServer.ProviderEmulator.Providers.Bfl;
using AiServer.ProviderEmulator.Providers.ElevenLabs;
using AiServer.ProviderEmulator.Providers.HuggingFace;
using AiServer.ProviderEmulator.Providers.Replicate;
using AiServer.ProviderEmulator.Providers.Supabase;
using AiServer.ProviderEmulator.Providers.SyncLabs;
using AiServer.ProviderEmulator.Webhooks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AiServer.ProviderEmulator;

/// <summary>Service registration and middleware of the emulator.</summary>
public static class EmulatorHostingExtensions
{
    public static WebApplicationBuilder AddEmulator(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddOptions<EmulatorOptions>()
            .Bind(builder.Configuration.GetSection(EmulatorOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmulatorOptions>, EmulatorOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        // Replicate accepts 100 MiB uploads and BFL finetunes carry a base64 ZIP; Kestrel's 30 MB default is too small.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 256L * 1024 * 1024);
        services.AddHttpClient(WebhookWorker.ClientName, c => c.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });
        services.AddHostedService<WebhookWorker>();

        AddState<FaultStore>(services);
        AddState<RequestJournal>(services);
        AddState<ProviderRateLimiter>(services);
        AddState<JobScheduler>(services);
        AddState<WebhookDispatcher>(services);
        AddState<ReplicateStore>(services);
        AddState<ReplicateFileStore>(services);
        AddState<ElevenLabsStore>(services);
        AddState<SyncLabsStore>(services);
        AddState<HuggingFaceStore>(services);
        AddState<BflStore>(services);
        AddState<PostgrestStore>(services);
        return builder;
    }

    public static WebApplication UseEmulator(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<EmulatorMiddleware>();
        return app;
    }

    private static void AddState<T>(IServiceCollection services)
        where T : class, IResettable
    {
        services.AddSingleton<T>();
        services.AddSingleton<IResettable>(sp => sp.GetRequiredService<T>());
    }
}
