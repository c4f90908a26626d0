namespace AiServer.ProviderEmulator.Options;

/// <summary><c>Emulator:HuggingFace</c>.</summary>
public sealed class HuggingFaceOptions : ProviderOptions
{
    /// <summary>Legacy "model loading" window after a model's first call: 503 with <c>estimated_time</c> until it passes. Zero = always warm.</summary>
    public TimeSpan ModelLoadingTime { get; set; } = TimeSpan.Zero;

    /// <summary>The caption every image-to-text call returns.</summary>
    public string Caption { get; set; } = "a small test image of a single solid colour";
}
