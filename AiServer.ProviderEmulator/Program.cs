using AiServer.ProviderEmulator.Apis;

namespace AiServer.ProviderEmulator;

/// <summary>Entry point: <c>dotnet AiServer.ProviderEmulator.dll --urls http://127.0.0.1:PORT</c>.</summary>
public static class Program
{
    public static void Main(string[] args) => BuildApp(args).Run();

    /// <summary>Builds the emulator (tests start it on a free loopback port with <c>--urls http://127.0.0.1:0</c>).</summary>
    public static WebApplication BuildApp(string[] args) => BuildApp(args, configure: null);

    /// <summary>As <see cref="BuildApp(string[])"/>, letting a host or test adjust the builder (e.g. register its own <see cref="TimeProvider"/>) first.</summary>
    public static WebApplication BuildApp(string[] args, Action<WebApplicationBuilder>? configure)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
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
