namespace AiServer.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void HealthTags_AreDistinct() =>
        Assert.Equal(3, new[] { global::AiServer.ServiceDefaults.Health.HealthTags.Live, global::AiServer.ServiceDefaults.Health.HealthTags.Ready, global::AiServer.ServiceDefaults.Health.HealthTags.Detailed }.Distinct().Count());
}
