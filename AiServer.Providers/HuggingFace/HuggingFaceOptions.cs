namespace AiServer.Providers.HuggingFace;

/// <summary>
/// Hugging Face (section <c>Providers:HuggingFace</c>; the token also from <c>HF_TOKEN</c>).
/// <see cref="ProviderClientOptions.BaseUrl"/> is the inference endpoint that <c>/models/{id}</c> is appended to.
/// </summary>
public sealed class HuggingFaceOptions : ProviderClientOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Providers:HuggingFace";

    /// <summary>Creates the options with the defaults (the inference router's hf-inference provider, JoyCaption Alpha Two).</summary>
    public HuggingFaceOptions()
    {
        BaseUrl = "https://router.huggingface.co/hf-inference";
        AttemptTimeout = TimeSpan.FromSeconds(30);
        TotalRequestTimeout = TimeSpan.FromSeconds(90);
    }

    /// <summary>The Hub API (model info, Space runtime for the probe); default <c>https://huggingface.co</c>.</summary>
    public string HubUrl { get; set; } = "https://huggingface.co";

    /// <summary>The Gradio Space app used for captions (JoyCaption-style); default <c>https://fancyfeast-joy-caption-alpha-two.hf.space</c>.</summary>
    public string SpaceUrl { get; set; } = "https://fancyfeast-joy-caption-alpha-two.hf.space";

    /// <summary>The Space's Hub id, for the runtime probe; empty skips that probe.</summary>
    public string? SpaceId { get; set; } = "fancyfeast/joy-caption-alpha-two";

    /// <summary>The Gradio endpoint (<c>api_name</c> without the slash); default <c>stream_chat</c>.</summary>
    public string SpaceApiName { get; set; } = "stream_chat";

    /// <summary>Gradio 5's <c>/gradio_api</c> prefix; empty for Gradio 4 Spaces.</summary>
    public string GradioApiPrefix { get; set; } = "/gradio_api";

    /// <summary>The plain image-to-text model for <c>CaptionWithModelAsync</c> when the call names none.</summary>
    public string CaptionModel { get; set; } = "Salesforce/blip-image-captioning-large";

    /// <summary>Longest total wait for a model that answers 503 "currently loading" (default 2 min).</summary>
    public TimeSpan MaxModelLoadingWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Longest a Gradio call's event stream may take (default 5 min).</summary>
    public TimeSpan CaptionTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Largest event of the Space's event stream, in characters: one line, and the joined <c>data:</c> lines of one
    /// event (default 1 MiB; a caption is a few KiB). A larger event ends the call with <c>event_too_large</c>.
    /// </summary>
    public int MaxEventBytes { get; set; } = 1024 * 1024;

    internal override void Validate(string section, List<string> errors)
    {
        base.Validate(section, errors);
        if (MaxEventBytes is < 1024 or > 64 * 1024 * 1024)
        {
            errors.Add($"{section}:MaxEventBytes: must be between 1024 and {64 * 1024 * 1024}, got {MaxEventBytes}.");
        }

        foreach (var (key, value) in new[] { ("HubUrl", HubUrl), ("SpaceUrl", SpaceUrl) })
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{section}:{key}: must be an absolute http or https URL, got '{value}'.");
            }
        }

        if (string.IsNullOrWhiteSpace(SpaceApiName))
        {
            errors.Add($"{section}:SpaceApiName: must not be empty.");
        }

        if (MaxModelLoadingWait < TimeSpan.Zero)
        {
            errors.Add($"{section}:MaxModelLoadingWait: must not be negative, got {MaxModelLoadingWait}.");
        }

        if (CaptionTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{section}:CaptionTimeout: must be positive, got {CaptionTimeout}.");
        }
    }
}
