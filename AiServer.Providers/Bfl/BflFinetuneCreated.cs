namespace AiServer.Providers.Bfl;

/// <summary>The answer to <c>POST /v1/finetune</c>.</summary>
internal sealed record BflFinetuneCreated
{
    public required string FinetuneId { get; init; }

    public string? PollingUrl { get; init; }
}
