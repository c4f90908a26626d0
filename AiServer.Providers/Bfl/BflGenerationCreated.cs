namespace AiServer.Providers.Bfl;

/// <summary>The answer to <c>POST /v1/{endpoint}</c>: the task id to poll (<c>get_result?id=</c>).</summary>
internal sealed record BflGenerationCreated
{
    public required string Id { get; init; }

    public string? PollingUrl { get; init; }

    public double? Cost { get; init; }
}
