using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using AiServer.AppHost.Restarts;
using Microsoft.Extensions.DependencyInjection;

namespace AiServer.AppHost.Redis;

/// <summary>Adds AiServer's Redis: a local <c>redis-server</c> when run, Aspire's Redis container when published.</summary>
public static class RedisResourceBuilderExtensions
{
    /// <summary>The configuration key of the local server's data folder (default <c>.aiserver/redis</c> in the solution).</summary>
    public const string DataDirectoryKey = "Redis:DataDirectory";

    /// <summary>
    /// Redis for the fleet. Publish mode: <c>AddRedis</c> (a <c>container.v0</c> azd deploys). Run mode: the Redis named by
    /// <c>ConnectionStrings:{name}</c> when the AppHost's configuration has one, otherwise the OS's <c>redis-server</c>
    /// on a DCP-allocated port with append-only persistence, its password from a generated secret parameter.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddAiServerRedis(this IDistributedApplicationBuilder builder, [ResourceName] string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder.AddRedis(name);
        }

        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(name)))
        {
            return builder.AddConnectionString(name);
        }

        return builder.AddLocalRedisServer(name).WithRestartOnExit();
    }

    /// <summary>
    /// References Redis from a service and waits for it: <c>ConnectionStrings__redis</c> always; when run, also Aspire's
    /// split variables (<c>REDIS_HOST</c>, <c>REDIS_PORT</c>, <c>REDIS_PASSWORD</c>, <c>REDIS_URI</c>). The published
    /// manifest carries only the connection string: the URI variable would add an <c>annotated.string</c> resource,
    /// a type azd does not accept, and the services read only the connection string.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithRedis(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<IResourceWithConnectionString> redis)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            builder.WithReferenceEnvironment(ReferenceEnvironmentInjectionFlags.ConnectionString | ReferenceEnvironmentInjectionFlags.ServiceDiscovery);
        }

        return builder.WithReference(redis).WaitFor(redis);
    }

    /// <summary>The OS's <c>redis-server</c> as an executable resource with a PING health check.</summary>
    public static IResourceBuilder<LocalRedisResource> AddLocalRedisServer(this IDistributedApplicationBuilder builder, [ResourceName] string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var executable = FindOnPath("redis-server") ?? throw new DistributedApplicationException(
            "redis-server was not found on PATH. Install the Debian/Ubuntu package 'redis-server' (apt-get install redis-server), " +
            $"or give the AppHost an existing Redis as ConnectionStrings:{name} (e.g. ConnectionStrings__{name}=host:6379,password=...).");

        var dataDirectory = Path.GetFullPath(builder.Configuration[DataDirectoryKey]
            ?? Path.Combine(builder.AppHostDirectory, "..", ".aiserver", "redis"));
        Directory.CreateDirectory(dataDirectory);

        // No commas: StackExchange.Redis cannot parse a password with one in a connection string.
        var password = ParameterResourceBuilderExtensions.CreateGeneratedParameter(
            builder, $"{name}-password", secret: true, new GenerateParameterDefault { MinLength = 32, Special = false });
        builder.AddResource(password);

        var redis = new LocalRedisResource(name, executable, password, dataDirectory);
        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(redis, async (_, ct) =>
            connectionString = await redis.ConnectionStringExpression.GetValueAsync(ct).ConfigureAwait(false));

        var healthCheckKey = $"{name}_ping";
        builder.Services.AddHealthChecks().AddRedis(
            _ => connectionString ?? throw new InvalidOperationException($"The connection string of '{name}' is not known yet."),
            name: healthCheckKey);

        var configFile = Path.Combine(dataDirectory, "redis.conf");
        return builder.AddResource(redis)
            .WithEndpoint(name: LocalRedisResource.PrimaryEndpointName, scheme: "redis")
            .WithArgs(context =>
            {
                // Everything but the port is in the config file; the password must not be on a command line `ps` shows.
                context.Args.Add(configFile);
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .OnBeforeResourceStarted(async (resource, _, ct) =>
                await WriteConfigFileAsync(configFile, resource, await resource.PasswordParameter.GetValueAsync(ct).ConfigureAwait(false), ct).ConfigureAwait(false))
            .WithHealthCheck(healthCheckKey)
            .WithIconName("Database");
    }

    private static async Task WriteConfigFileAsync(string path, LocalRedisResource redis, string? password, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var stream = new FileStream(path, options);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"""
            # Written by the AiServer AppHost at every start of '{redis.Name}'; holds the generated password.
            requirepass "{password}"
            bind 127.0.0.1 -::1
            dir "{redis.DataDirectory}"
            # Append-only persistence: an accepted write survives a crash of the server (at most ~1 s is lost).
            appendonly yes
            appendfsync everysec
            save ""
            daemonize no

            """);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken).ConfigureAwait(false);
    }

    private static string? FindOnPath(string file)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, file);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
