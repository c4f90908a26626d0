using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiServer.ServiceDefaults.Security;

/// <summary>
/// The operator's bearer token (<c>Admin:Token</c>) for breaker control and forced health probes: 401 without it,
/// 403 when wrong, compared in constant time.
/// </summary>
internal static partial class AdminToken
{
    public const string ConfigurationKey = "Admin:Token";

    /// <summary>Whether an admin token is configured (admin endpoints exist only then).</summary>
    public static bool IsConfigured(IConfiguration configuration) => !string.IsNullOrEmpty(configuration[ConfigurationKey]);

    /// <summary>Null when the request carries the admin token; otherwise the problem result to answer with.</summary>
    public static IResult? Check(HttpContext http)
    {
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminToken).FullName!);
        var expected = http.RequestServices.GetRequiredService<IConfiguration>()[ConfigurationKey];
        var header = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (string.IsNullOrEmpty(expected) || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            LogRejected(logger, http.Request.Path, "no bearer token");
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Admin token required",
                detail: "Send the admin token as 'Authorization: Bearer <token>'.");
        }

        if (!TokenEquals(header[scheme.Length..].Trim(), expected))
        {
            LogRejected(logger, http.Request.Path, "wrong token");
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: "The admin token is not valid.");
        }

        return null;
    }

    /// <summary>Compares hashes in constant time, so neither the content nor the length of the token leaks.</summary>
    internal static bool TokenEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    [LoggerMessage(EventId = 4012, Level = LogLevel.Warning, Message = "Admin request to {Path} refused: {Reason}")]
    private static partial void LogRejected(ILogger logger, string path, string reason);
}
