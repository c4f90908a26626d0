namespace AiServer.Tests.Operations;

/// <summary>The tests that share one <see cref="PrometheusFleetFixture"/> (they force breakers, so they run one at a time).</summary>
[CollectionDefinition(Name)]
public sealed class PrometheusFleetCollection : ICollectionFixture<PrometheusFleetFixture>
{
    public const string Name = "Prometheus fleet";
}
