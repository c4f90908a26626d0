namespace AiServer.ProviderEmulator.Infrastructure;

/// <summary>Absolute URLs pointing back at this emulator, as the client reached it.</summary>
internal static class RequestUrls
{
    public static string Origin(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return $"{request.Scheme}://{request.Host}{request.PathBase}";
    }

    /// <summary>A generated output file served by <c>/files/outputs/{job}/{name}</c>.</summary>
    public static string Output(string origin, string jobId, string fileName) => $"{origin}/files/outputs/{jobId}/{fileName}";
}
