using AiServer.ProviderEmulator.Apis;

namespace AiServer.ProviderEmulator;

/// <summary>Entry point: <c>dotnet AiServer.ProviderEmulator.dll --urls http://127.0.0.1:PORT</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BuildApp(args).Run();

    /// <summary>Builds the emulator (tests start it on a free loopback port with <c>--urls http://127.0.0.1:0</c>).</summary>
    public static WebApplication BuildApp(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddEmulator();

        var app = builder.Build();
        app.UseEmulator();
        app.MapHealthApi();
        app.MapControlApi();
        app.MapFilesApi();
        app.MapReplicateApi();
        app.MapElevenLabsApi();
        app.MapSyncLabsApi();
        app.MapHuggingFaceApi();
        app.MapBflApi();
        app.MapSupabaseApi();
        app.MapFallbackApi();
        return app;
    }
}
