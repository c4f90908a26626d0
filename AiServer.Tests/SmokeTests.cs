using AiServer.ServiceDefaults.Health;

namespace AiServer.Tests;

public sealed class SmokeTests
{
    [Fact]
    public void HealthTags_AreDistinct() =>
        Assert.Equal(3, new[] { HealthTags.Live, HealthTags.Ready, HealthTags.Detailed }.Distinct().Count());
}
