namespace AiServer.Providers.HuggingFace;

/// <summary>A JoyCaption-style caption request: the image by URL (or bytes, uploaded to the Space first), caption type and length.</summary>
internal sealed record HuggingFaceCaptionRequest
{
    public Uri? ImageUrl { get; init; }

    public byte[]? Image { get; init; }

    public string ImageFileName { get; init; } = "image.png";

    /// <summary><c>Descriptive</c>, <c>Descriptive (Informal)</c>, <c>Training Prompt</c>, <c>MidJourney</c>, <c>Booru tag list</c>, ...</summary>
    public string CaptionType { get; init; } = "Descriptive";

    /// <summary><c>any</c>, <c>very short</c>, <c>short</c>, <c>medium-length</c>, <c>long</c>, <c>very long</c> or a number.</summary>
    public string CaptionLength { get; init; } = "long";

    public IReadOnlyList<string> ExtraOptions { get; init; } = [];

    public string NameInput { get; init; } = string.Empty;

    public string CustomPrompt { get; init; } = string.Empty;
}
