using AiServer.ServiceDefaults.Health;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>Registration of the Redis client (Aspire's <c>AddRedisClient</c> verb).</summary>
public static class RedisClientExtensions
{
    /// <summary>
    /// Registers <see cref="IRedisClient"/>, <see cref="IRedisDatabase"/> and <see cref="IRedisSubscriber"/> (singletons)
    /// for the connection string <c>ConnectionStrings:{connectionName}</c>, the <see cref="RedisOptions"/> (section
    /// <c>Redis</c>, validated at start with messages naming the key), the <c>AiServer.Redis</c> meter, a start-up
    /// connect that never blocks start-up for longer than the connect timeout, and the <c>redis</c> health check
    /// (tags <see cref="HealthTags.Ready"/> and <see cref="HealthTags.Detailed"/>). Calling it again does nothing.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="connectionName">The connection name: <c>redis</c> reads <c>ConnectionStrings:redis</c>.</param>
    /// <returns>The builder.</returns>
    public static IHostApplicationBuilder AddRedisClient(this IHostApplicationBuilder builder, string connectionName = "redis")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        IServiceCollection services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(RedisClient)))
        {
            return builder;
        }

        var validator = new RedisOptionsValidator(connectionName);
        services.AddOptions<RedisOptions>()
            .BindConfiguration(RedisOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) =>
            {
                string? connectionString = configuration.GetConnectionString(connectionName);
                if (!string.IsNullOrWhiteSpace(connectionString))
                {
                    options.ConnectionString = connectionString;
                }
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RedisOptions>>(validator);

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new RedisMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            RedisOptions options = sp.GetRequiredService<IOptions<RedisOptions>>().Value;
            RedisConnectionSettings settings = RedisConnectionSettings.Parse(options.ConnectionString, validator.ConfigurationKey);
            string clientName = sp.GetService<IHostEnvironment>()?.ApplicationName ?? "aiserver";
            return new RedisClient(settings, options, sp.GetRequiredService<RedisMetrics>(), sp.GetRequiredService<ILogger<RedisClient>>(), clientName);
        });
        services.AddSingleton<IRedisClient>(sp => sp.GetRequiredService<RedisClient>());
        services.AddSingleton(sp => sp.GetRequiredService<IRedisClient>().GetDatabase());
        services.AddSingleton(sp => sp.GetRequiredService<IRedisClient>().GetSubscriber());
        services.AddSingleton(sp =>
        {
            RedisConnectionSettings settings = sp.GetRequiredService<RedisClient>().Settings;
            return new RedisClientStartup(settings.EndPoint, settings.ConnectTimeout);
        });
        services.AddHostedService<RedisConnectHostedService>();

        services.AddHealthChecks().AddCheck<RedisHealthCheck>(
            "redis",
            failureStatus: HealthStatus.Unhealthy,
            tags: [HealthTags.Ready, HealthTags.Detailed],
            timeout: TimeSpan.FromSeconds(5));
        return builder;
    }
}
