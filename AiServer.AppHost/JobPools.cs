namespace AiServer.AppHost;

/// <summary>The job kinds of each worker pool (DESIGN: training, speech, lip-sync pools).</summary>
internal static class JobPools
{
    public static readonly IReadOnlyList<string> Training = ["model-training"];

    public static readonly IReadOnlyList<string> Speech = ["speech", "voice-clone"];

    public static readonly IReadOnlyList<string> LipSync = ["lip-sync", "image-caption", "image-generation"];
}
