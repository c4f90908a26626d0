using AiServer.ServiceDefaults.Telemetry;

namespace AiServer.Tests.ServiceDefaults.Telemetry;

public sealed class HttpRequestMetricsTests
{
    [Theory]
    [InlineData("GET", "GET")]
    [InlineData("PATCH", "PATCH")]
    [InlineData("FOO123", "_OTHER")]
    [InlineData("get", "_OTHER")]
    public void KnownMethod_AnyMethod_KeepsStandardOnesAndBucketsTheRest(string method, string expected) =>
        Assert.Equal(expected, HttpRequestMetrics.KnownMethod(method));
}
