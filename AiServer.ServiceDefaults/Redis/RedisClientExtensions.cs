using AiServer.ServiceDefaults.Health;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiServer.ServiceDefaults.Redis;

/// <summary>Registration of the Redis connection: Aspire's <c>AddRedisClient</c> with AiServer's connection policy.</summary>
public static class RedisClientExtensions
{
    /// <summary>The name of the Redis health check (tags <see cref="HealthTags.Ready"/> and <see cref="HealthTags.Detailed"/>).</summary>
    public const string HealthCheckName = "redis";

    /// <summary>The name Aspire gives its Redis health check; renamed to <see cref="HealthCheckName"/>.</summary>
    private const string AspireHealthCheckName = "StackExchange.Redis";

    /// <summary>
    /// Registers StackExchange.Redis's <see cref="IConnectionMultiplexer"/> through Aspire's
    /// <c>AddRedisClient(connectionName)</c> (its health check, tracing and <c>Aspire:StackExchange:Redis</c> binding)
    /// with the policy the fleet breakers need: the start never waits for Redis (<c>AbortOnConnectFail=false</c>),
    /// no command waits behind a lost connection (<see cref="BacklogPolicy.FailFast"/>), and the connection comes back
    /// by itself (exponential reconnect between <see cref="RedisOptions.ReconnectMinDelay"/> and
    /// <see cref="RedisOptions.ReconnectMaxDelay"/>); a private CA for TLS comes from <see cref="RedisOptions.CaCertificatePath"/>. Adds the validated <see cref="RedisOptions"/> (section
    /// <c>Redis</c>; a missing or malformed <c>ConnectionStrings:{connectionName}</c> fails the start naming the key)
    /// and files Aspire's health check as <c>redis</c> under the ready and detailed tags. Calling it again does nothing.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="connectionName">The connection name: <c>redis</c> reads <c>ConnectionStrings:redis</c>.</param>
    /// <returns>The builder.</returns>
    public static IHostApplicationBuilder AddAiServerRedisClient(this IHostApplicationBuilder builder, string connectionName = "redis")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(RedisClientMarker)))
        {
            return builder;
        }

        services.AddSingleton<RedisClientMarker>();
        var configuration = builder.Configuration;
        services.AddOptions<RedisOptions>()
            .BindConfiguration(RedisOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RedisOptions>>(new RedisOptionsValidator(connectionName, () => configuration.GetConnectionString(connectionName)));

        if (!string.IsNullOrWhiteSpace(configuration.GetConnectionString(connectionName)))
        {
            builder.AddRedisClient(connectionName);

            // After Aspire's own configuration callback, so this policy is what the multiplexer gets.
            services.AddOptions<ConfigurationOptions>().Configure<IOptions<RedisOptions>, IHostEnvironment>((options, redis, environment) =>
            {
                options.AbortOnConnectFail = false;
                options.BacklogPolicy = BacklogPolicy.FailFast;
                options.ReconnectRetryPolicy = new ExponentialRetry(
                    (int)Math.Max(1, redis.Value.ReconnectMinDelay.TotalMilliseconds),
                    (int)Math.Max(1, redis.Value.ReconnectMaxDelay.TotalMilliseconds));
                options.ClientName ??= environment.ApplicationName;
                if (!string.IsNullOrEmpty(redis.Value.CaCertificatePath))
                {
                    options.TrustIssuer(redis.Value.CaCertificatePath);
                }
            });
            services.PostConfigure<HealthCheckServiceOptions>(options =>
            {
                foreach (var registration in options.Registrations.Where(r => r.Name == AspireHealthCheckName))
                {
                    registration.Name = HealthCheckName;
                    registration.Tags.Add(HealthTags.Ready);
                    registration.Tags.Add(HealthTags.Detailed);
                    registration.Timeout = TimeSpan.FromSeconds(5);
                }
            });
        }

        return builder;
    }

    /// <summary>Marks that <see cref="AddAiServerRedisClient"/> ran.</summary>
    private sealed class RedisClientMarker;
}
