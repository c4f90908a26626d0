namespace AiServer.Tests.Operations.Keda;

/// <summary>What a <see cref="ScaledObject"/> scales (a Deployment when only the name is given).</summary>
public sealed class ScaleTargetReference
{
    public string Name { get; set; } = null!;

    public string? Kind { get; set; }

    public string? ApiVersion { get; set; }
}
