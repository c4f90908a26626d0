using AiServer.Providers;

namespace AiServer.Jobs;

/// <summary>The job kinds (<c>POST /v1/jobs/{kind}</c>) and the providers that can run each.</summary>
public static class JobKinds
{
    public const string ModelTraining = "model-training";
    public const string ImageGeneration = "image-generation";
    public const string Speech = "speech";
    public const string VoiceClone = "voice-clone";
    public const string LipSync = "lip-sync";
    public const string ImageCaption = "image-caption";

    /// <summary>Every kind, in display order.</summary>
    public static readonly IReadOnlyList<string> All = [ModelTraining, ImageGeneration, Speech, VoiceClone, LipSync, ImageCaption];

    /// <summary>Whether <paramref name="kind"/> is a known kind (ordinal: kinds are lower-case in URLs and keys).</summary>
    public static bool IsKnown(string? kind) => kind is not null && All.Contains(kind, StringComparer.Ordinal);

    /// <summary>The providers that can run <paramref name="kind"/>, the default first (from <see cref="ProviderCatalog"/>).</summary>
    public static IReadOnlyList<string> ProvidersOf(string kind) =>
        IsKnown(kind) ? ProviderCatalog.ProvidersOf(kind) : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown job kind.");
}
