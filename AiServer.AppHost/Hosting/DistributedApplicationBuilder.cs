using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace AiServer.AppHost.Hosting;

/// <summary>Declares the resources of the distributed application (Aspire's <c>IDistributedApplicationBuilder</c>).</summary>
public sealed class DistributedApplicationBuilder
{
    internal DistributedApplicationBuilder(string[] args, DistributedApplicationOptions options)
    {
        Options = options;
        Configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(options.Settings)
            .AddCommandLine(args)
            .Build();
        var assembly = typeof(DistributedApplicationBuilder).Assembly;
        options.SolutionDirectory ??= Metadata(assembly, "AiServer.SolutionDirectory");
        options.Configuration ??= Metadata(assembly, "AiServer.Configuration");
        options.WorkingDirectory ??= Directory.GetCurrentDirectory();
    }

    /// <summary>The AppHost's configuration: environment variables, <see cref="DistributedApplicationOptions.Settings"/>, command line.</summary>
    public IConfiguration Configuration { get; }

    /// <summary>How the application runs.</summary>
    public DistributedApplicationOptions Options { get; }

    internal List<ExecutableResource> Resources { get; } = [];

    internal List<ParameterResource> Parameters { get; } = [];

    /// <summary>Adds a .NET project run from its build output.</summary>
    public IResourceBuilder<ProjectResource> AddProject<TProject>(string name)
        where TProject : IProjectMetadata, new()
    {
        var resource = new ProjectResource(name, new TProject());
        Add(resource);
        return new ResourceBuilder<ProjectResource>(resource, this);
    }

    /// <summary>
    /// Adds Redis: a local <c>redis-server</c> on a free port, or the Redis of <c>ConnectionStrings:{name}</c> when configured.
    /// </summary>
    public IResourceBuilder<RedisResource> AddRedis(string name)
    {
        var resource = new RedisResource(name)
        {
            ExternalConnectionString = NullIfEmpty(Configuration.GetConnectionString(name)),
            DataDirectory = Path.Combine(Options.WorkingDirectory!, ".aiserver", name),
        };
        Add(resource);
        return new ResourceBuilder<RedisResource>(resource, this);
    }

    /// <summary>
    /// Adds a parameter from <c>Parameters:{name}</c>; a secret one that is not configured gets a random value
    /// (printed by the AppHost at start, so a local operator can use it).
    /// </summary>
    public IResourceBuilder<ParameterResource> AddParameter(string name, bool secret = false)
    {
        var configured = Configuration[$"Parameters:{name}"];
        if (string.IsNullOrEmpty(configured) && !secret)
        {
            throw new DistributedApplicationException($"Parameter '{name}' has no value: set Parameters:{name} (environment Parameters__{name}).");
        }

        var value = string.IsNullOrEmpty(configured)
            ? Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16))
            : configured;
        var parameter = new ParameterResource(name, value, secret);
        Parameters.Add(parameter);
        return new ResourceBuilder<ParameterResource>(parameter, this);
    }

    /// <summary>Builds the application; nothing runs until it is started.</summary>
    public DistributedApplication Build() => new(this);

    private void Add(ExecutableResource resource)
    {
        if (Resources.Any(r => r.Name.Equals(resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new DistributedApplicationException($"A resource named '{resource.Name}' already exists.");
        }

        Resources.Add(resource);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string Metadata(Assembly assembly, string key) =>
        assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
        ?? throw new DistributedApplicationException($"The AppHost assembly lacks its '{key}' metadata; rebuild it.");
}
