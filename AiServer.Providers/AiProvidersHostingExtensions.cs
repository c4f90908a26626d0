using AiServer.Providers.Bfl;
using AiServer.Providers.ElevenLabs;
using AiServer.Providers.FileDownload;
using AiServer.Providers.Health;
using AiServer.Providers.HuggingFace;
using AiServer.Providers.Replicate;
using AiServer.Providers.Supabase;
using AiServer.Providers.SyncLabs;
using AiServer.Providers.Telemetry;
using AiServer.ServiceDefaults.Health;
using AiServer.ServiceDefaults.Redis;
using AiServer.ServiceDefaults.Resilience;
using AiServer.ServiceDefaults.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiServer.Providers;

/// <summary>Registers the provider clients.</summary>
public static class AiProvidersHostingExtensions
{
    /// <summary>
    /// Registers every provider client (typed, from DI), its validated options (<c>Providers:{Name}</c>, with the seeds'
    /// environment variables as fallbacks), its named <see cref="HttpClient"/> with the fleet resilience handler (the
    /// provider's breaker and retry preset), the file downloader, and one cached, breaker-aware health check per provider
    /// (tag <see cref="HealthTags.Detailed"/>), whose probes the fleet shares through Redis when a connection is
    /// registered (<c>Providers:Health:Shared</c>). Call it once, after <c>AddServiceDefaults()</c>, which adds the fleet
    /// breakers the clients use.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    public static IHostApplicationBuilder AddAiProviders(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ProviderMetrics>();
        services.AddValidatedOptions<ProviderHealthOptions>(ProviderHealthOptions.SectionName);
        services.TryAddSingleton<ProviderHealthCache>();
        services.TryAddSingleton(CreateSharedHealth);
        services.AddSingleton<IHealthCheckCache>(sp => sp.GetRequiredService<ProviderHealthCache>());

        AddProvider<ReplicateOptions, ReplicateClient>(builder, ProviderCatalog.Replicate, (c, ct) => c.HealthCheckAsync(ct));
        AddProvider<SupabaseOptions, SupabaseClient>(builder, ProviderCatalog.Supabase, (c, ct) => c.HealthCheckAsync(ct));
        AddProvider<ElevenLabsOptions, ElevenLabsClient>(builder, ProviderCatalog.ElevenLabs, (c, ct) => c.HealthCheckAsync(ct));
        AddProvider<SyncLabsOptions, SyncLabsClient>(builder, ProviderCatalog.SyncLabs, (c, ct) => c.HealthCheckAsync(ct));
        AddProvider<HuggingFaceOptions, HuggingFaceClient>(builder, ProviderCatalog.HuggingFace, (c, ct) => c.HealthCheckAsync(ct));
        AddProvider<BflOptions, BflClient>(builder, ProviderCatalog.Bfl, (c, ct) => c.HealthCheckAsync(ct));
        AddFileDownload(builder);
        return builder;
    }

    private static void AddProvider<TOptions, TClient>(
        IHostApplicationBuilder builder,
        ProviderDescriptor provider,
        Func<TClient, CancellationToken, Task<HealthCheckResult>>? probe)
        where TOptions : ProviderClientOptions, new()
        where TClient : class
    {
        var name = provider.Name;
        var section = ProviderSections.Root + ":" + provider.Section;
        var preset = provider.RetryPreset == "database" ? RetryPreset.Database : RetryPreset.ExternalApi;
        string? keyVariable = provider.SeedKeyVariable;
        var urlVariable = provider.SeedUrlVariable;
        var services = builder.Services;
        services.AddValidatedOptions<TOptions>(section);
        services.AddSingleton<IValidateOptions<TOptions>>(new ProviderOptionsValidator<TOptions>(section));
        if (keyVariable is not null || urlVariable is not null)
        {
            // The seeds' variables fill in what the Providers section leaves unset.
            services.AddOptions<TOptions>().PostConfigure<IConfiguration>((options, configuration) =>
            {
                if (keyVariable is not null && string.IsNullOrWhiteSpace(options.ApiKey) && configuration[keyVariable] is { Length: > 0 } key)
                {
                    options.ApiKey = key;
                }

                if (urlVariable is not null && configuration[section + ":BaseUrl"] is null && configuration[urlVariable] is { Length: > 0 } url)
                {
                    options.BaseUrl = url;
                }
            });
        }

        // The pipeline's timeouts are fixed when the handler is built, so they are read from configuration now; values
        // the validator will reject at start fall back to the defaults here.
        var timeouts = ReadTimeouts<TOptions>(builder.Configuration, section);
        var maxResponseBytes = ReadMaxResponseBytes<TOptions>(builder.Configuration, section);
        services.AddHttpClient(name, client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan;
                // Whole-body reads (JSON) stop here instead of buffering whatever a provider (or a fault) sends.
                client.MaxResponseContentBufferSize = maxResponseBytes;
            })
            .AddFleetResilienceHandler(name, preset, o =>
            {
                o.AttemptTimeout = timeouts.Attempt;
                o.TotalRequestTimeout = timeouts.Total;
            })
            .RedactLoggedHeaders(static _ => true);
        services.TryAddSingleton<TClient>();
        if (probe is not null)
        {
            services.AddHealthChecks().Add(new HealthCheckRegistration(
                name,
                sp => new ProviderHealthCheck(
                    name,
                    ct => probe(sp.GetRequiredService<TClient>(), ct),
                    sp.GetRequiredService<ICircuitBreakerRegistry>(),
                    sp.GetRequiredService<ProviderHealthCache>(),
                    sp.GetRequiredService<SharedProviderHealth>(),
                    sp.GetRequiredService<ProviderMetrics>(),
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILoggerFactory>().CreateLogger("AiServer.Providers.Health")),
                failureStatus: HealthStatus.Unhealthy,
                tags: [HealthTags.Detailed]));
        }
    }

    /// <summary>
    /// The fleet-shared probes use the Redis connection when one is registered (<c>ConnectionStrings:redis</c>), under
    /// <c>Redis:KeyPrefix</c>; without one every instance probes for itself. Registration is checked, not resolved:
    /// creating the multiplexer may wait for an unreachable Redis, which the store does off the caller's path.
    /// </summary>
    private static SharedProviderHealth CreateSharedHealth(IServiceProvider sp)
    {
        var time = sp.GetRequiredService<TimeProvider>();
        RedisProviderHealthStore? store = null;
        if (sp.GetService<IServiceProviderIsService>()?.IsService(typeof(IConnectionMultiplexer)) == true)
        {
            var prefix = sp.GetService<IOptions<RedisOptions>>()?.Value.KeyPrefix ?? RedisOptions.DefaultKeyPrefix;
            store = new RedisProviderHealthStore(sp.GetRequiredService<IConnectionMultiplexer>, prefix, time);
        }

        var instance = sp.GetService<InstanceIdentity>() ?? InstanceIdentity.FromConfiguration(sp.GetRequiredService<IConfiguration>());
        return new SharedProviderHealth(
            store,
            instance.Id,
            sp.GetRequiredService<ProviderHealthCache>(),
            sp.GetRequiredService<IOptions<ProviderHealthOptions>>(),
            sp.GetRequiredService<ProviderMetrics>(),
            time,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("AiServer.Providers.Health"));
    }

    private static void AddFileDownload(IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<FileDownloadOptions>(FileDownloadOptions.SectionName);
        services.AddSingleton<IValidateOptions<FileDownloadOptions>, FileDownloadOptionsValidator>();
        services.TryAddSingleton<SsrfGuard>();
        services.TryAddTransient<SsrfCheckHandler>();
        var configured = new FileDownloadOptions();
        var defaults = new FileDownloadOptions();
        try
        {
            builder.Configuration.GetSection(FileDownloadOptions.SectionName).Bind(configured);
        }
        catch (InvalidOperationException)
        {
            configured = defaults;
        }

        if (configured.AttemptTimeout <= TimeSpan.Zero || configured.TotalRequestTimeout < configured.AttemptTimeout)
        {
            configured = defaults;
        }

        services.AddHttpClient(ProviderNames.FileDownload, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                // Redirects are followed by FileDownloadClient, which checks every hop; connections go to checked addresses only.
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectCallback = sp.GetRequiredService<SsrfGuard>().ConnectAsync,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            })
            // Outermost, before the resilience handler: a refused URL is never retried and never reaches the breaker.
            .AddHttpMessageHandler<SsrfCheckHandler>()
            .AddFleetResilienceHandler(ProviderNames.FileDownload, RetryPreset.ExternalApi, o =>
            {
                o.AttemptTimeout = configured.AttemptTimeout;
                o.TotalRequestTimeout = configured.TotalRequestTimeout;
            })
            .RedactLoggedHeaders(static _ => true);
        services.TryAddSingleton<FileDownloadClient>();
    }

    internal static (TimeSpan Attempt, TimeSpan Total) ReadTimeouts<TOptions>(IConfiguration configuration, string section)
        where TOptions : ProviderClientOptions, new()
    {
        var defaults = new TOptions();
        var options = new TOptions();
        try
        {
            configuration.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException)
        {
            return (defaults.AttemptTimeout, defaults.TotalRequestTimeout);
        }

        return options.AttemptTimeout > TimeSpan.Zero && options.TotalRequestTimeout >= options.AttemptTimeout
            ? (options.AttemptTimeout, options.TotalRequestTimeout)
            : (defaults.AttemptTimeout, defaults.TotalRequestTimeout);
    }

    internal static long ReadMaxResponseBytes<TOptions>(IConfiguration configuration, string section)
        where TOptions : ProviderClientOptions, new()
    {
        var options = new TOptions();
        try
        {
            configuration.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException)
        {
            return ProviderClientOptions.DefaultMaxResponseBytes;
        }

        // Values the validator rejects at start fall back to the default here.
        return options.MaxResponseBytes is >= 1024 and <= int.MaxValue ? options.MaxResponseBytes : ProviderClientOptions.DefaultMaxResponseBytes;
    }
}
