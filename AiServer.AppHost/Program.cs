namespace AiServer.AppHost;

internal static class Program
{
    public static int Main() => 0;
}
