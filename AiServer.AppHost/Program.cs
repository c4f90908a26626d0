using AiServer.AppHost.Hosting;

namespace AiServer.AppHost;

internal static class Program
{
    public static Task<int> Main(string[] args) =>
        AppModel.Declare(DistributedApplication.CreateBuilder(args)).Build().RunAsync();
}
