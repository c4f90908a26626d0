namespace AiServer.Tests.Operations.Keda;

/// <summary>One trigger of a <see cref="ScaledObject"/>: its scaler type and that scaler's metadata.</summary>
public sealed class ScaleTrigger
{
    public string Type { get; set; } = null!;

    public Dictionary<string, string> Metadata { get; set; } = [];
}
