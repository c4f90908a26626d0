using Microsoft.Extensions.Configuration;

namespace AiServer.AppHost;

/// <summary>The port of the api's proxied endpoint under <c>./run.sh</c> (tests randomise it).</summary>
internal static class ApiPort
{
    /// <summary>The configuration key; default <see cref="Default"/>.</summary>
    public const string Key = "Api:Port";

    public const int Default = 5080;

    public static int From(IConfiguration configuration)
    {
        var text = configuration[Key];
        if (text is null)
        {
            return Default;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new DistributedApplicationException($"{Key} must be a TCP port between 1 and 65535; it is '{text}'.");
    }
}
