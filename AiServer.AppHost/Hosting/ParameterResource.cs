namespace AiServer.AppHost.Hosting;

/// <summary>
/// A value given to resources through their environment (Aspire's <c>AddParameter</c>): from configuration
/// <c>Parameters:{name}</c>, or generated at start when secret and not configured.
/// </summary>
public sealed class ParameterResource(string name, string value, bool secret) : IResource
{
    /// <inheritdoc />
    public string Name { get; } = name;

    /// <summary>The value.</summary>
    public string Value { get; } = value;

    /// <summary>Whether the value is a secret (generated when not configured).</summary>
    public bool Secret { get; } = secret;
}
