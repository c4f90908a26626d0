namespace AiServer.Tests.Operations.Keda;

/// <summary>The spec of a <see cref="ScaledObject"/>.</summary>
public sealed class ScaledObjectSpec
{
    public ScaleTargetReference ScaleTargetRef { get; set; } = null!;

    public int? MinReplicaCount { get; set; }

    public int? MaxReplicaCount { get; set; }

    public int? PollingInterval { get; set; }

    public int? CooldownPeriod { get; set; }

    public IList<ScaleTrigger> Triggers { get; set; } = [];
}
