namespace AiServer.AppHost.Redis;

/// <summary>
/// A <c>redis-server</c> from the operating system, run by DCP as an executable (no container engine needed). It serves
/// the same connection string and connection properties as Aspire's container <c>RedisResource</c>, so a service that
/// references it cannot tell the difference.
/// </summary>
public sealed class LocalRedisResource(string name, string command, ParameterResource password, string dataDirectory)
    : ExecutableResource(name, command, dataDirectory), IResourceWithConnectionString
{
    /// <summary>The name of the TCP endpoint.</summary>
    public const string PrimaryEndpointName = "tcp";

    private EndpointReference? _primaryEndpoint;

    /// <summary>The password (a generated secret parameter); it reaches the server through a 0600 config file.</summary>
    public ParameterResource PasswordParameter { get; } = password;

    /// <summary>Where the append-only file and the generated config file live.</summary>
    public string DataDirectory { get; } = dataDirectory;

    /// <summary>The endpoint clients connect to (DCP's proxy; stays the same across restarts of the server).</summary>
    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    /// <inheritdoc />
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)},password={PasswordParameter}");

    IEnumerable<KeyValuePair<string, ReferenceExpression>> IResourceWithConnectionString.GetConnectionProperties()
    {
        var host = PrimaryEndpoint.Property(EndpointProperty.Host);
        var port = PrimaryEndpoint.Property(EndpointProperty.Port);
        yield return new("Host", ReferenceExpression.Create($"{host}"));
        yield return new("Port", ReferenceExpression.Create($"{port}"));
        yield return new("Password", ReferenceExpression.Create($"{PasswordParameter}"));
        yield return new("Uri", ReferenceExpression.Create($"redis://:{PasswordParameter:uri}@{host}:{port}"));
    }
}
