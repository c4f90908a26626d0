namespace AiServer.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void HealthTags_AreDistinct() =>
        Assert.Equal(3, new[] { ServiceDefaults.Health.HealthTags.Live, ServiceDefaults.Health.HealthTags.Ready, ServiceDefaults.Health.HealthTags.Detailed }.Distinct().Count());
}
