namespace AiServer.Providers.Bfl;

/// <summary><c>POST /v1/finetune</c>: the training images as a ZIP (sent base64) and the training parameters.</summary>
internal sealed record BflFinetuneRequest
{
    /// <summary>The ZIP (jpg/jpeg/png/webp images with optional same-name <c>.txt</c> captions).</summary>
    public required byte[] Zip { get; init; }

    /// <summary>The note shown in finetune_details; the seed keeps the Telegram id here.</summary>
    public required string Comment { get; init; }

    /// <summary><c>general</c>, <c>character</c>, <c>style</c> or <c>product</c>.</summary>
    public string Mode { get; init; } = "character";

    public string TriggerWord { get; init; } = "TOK";

    /// <summary>100–1000.</summary>
    public int Iterations { get; init; } = 300;

    public double? LearningRate { get; init; }

    public bool Captioning { get; init; } = true;

    /// <summary><c>speed</c>, <c>quality</c> or <c>high_res_only</c>.</summary>
    public string Priority { get; init; } = "quality";

    /// <summary><c>full</c> or <c>lora</c>.</summary>
    public string FinetuneType { get; init; } = "full";

    /// <summary>16 or 32.</summary>
    public int LoraRank { get; init; } = 32;

    public Uri? WebhookUrl { get; init; }

    /// <summary>Null: <see cref="BflOptions.WebhookSecret"/>.</summary>
    public string? WebhookSecret { get; init; }
}
