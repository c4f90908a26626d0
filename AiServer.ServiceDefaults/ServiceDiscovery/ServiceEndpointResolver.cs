using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;

namespace AiServer.ServiceDefaults.ServiceDiscovery;

/// <summary>
/// Resolves logical service URIs the way Microsoft.Extensions.ServiceDiscovery does from configuration (that package is
/// not restorable here): <c>https+http://api</c> lists schemes in priority order, <c>http://_grpc.api</c> names an
/// endpoint, endpoints come from <c>Services:{service}:{endpoint or scheme}</c> (one value or children 0, 1, ...; each an
/// absolute URI or <c>host:port</c>), https endpoints win over http ones, several endpoints are used round-robin, and a
/// service with nothing configured passes through as a DNS name (what Kubernetes expects).
/// </summary>
internal sealed class ServiceEndpointResolver(IConfiguration configuration)
{
    private readonly ConcurrentDictionary<string, int> _cursors = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every endpoint configured for <paramref name="uri"/>; empty when the service is not configured.</summary>
    public IReadOnlyList<Uri> ResolveAll(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var schemes = uri.Scheme.Split('+', StringSplitOptions.RemoveEmptyEntries);
        var (endpointName, service) = SplitHost(uri.Host);
        var section = configuration.GetSection("Services").GetSection(service);
        if (!section.Exists())
        {
            return [];
        }

        var found = new List<Uri>();
        IEnumerable<string> candidates = endpointName is not null ? [endpointName] : ["default", .. schemes];
        foreach (var candidate in candidates)
        {
            var child = section.GetSection(candidate);
            if (!child.Exists())
            {
                continue;
            }

            var defaultScheme = schemes.Contains(candidate, StringComparer.OrdinalIgnoreCase) ? candidate : schemes[0];
            foreach (var value in Values(child))
            {
                found.Add(ToUri(value, defaultScheme, uri));
            }

            if (found.Count > 0)
            {
                break;
            }
        }

        // Any https endpoint makes the http ones go (the library's rule), unless only http was asked for.
        if (found.Any(u => u.Scheme == Uri.UriSchemeHttps) && schemes.Contains(Uri.UriSchemeHttps, StringComparer.OrdinalIgnoreCase))
        {
            found.RemoveAll(u => u.Scheme == Uri.UriSchemeHttp);
        }

        return found;
    }

    /// <summary>The URI to call now: the next configured endpoint round-robin, or the name itself with the first scheme.</summary>
    public Uri Resolve(Uri uri)
    {
        var all = ResolveAll(uri);
        if (all.Count == 0)
        {
            var scheme = uri.Scheme.Split('+')[0];
            var (_, service) = SplitHost(uri.Host);
            return new UriBuilder(uri) { Scheme = scheme, Host = service, Port = uri.IsDefaultPort ? -1 : uri.Port }.Uri;
        }

        var index = _cursors.AddOrUpdate(uri.Scheme + "://" + uri.Host, 0, static (_, i) => unchecked(i + 1));
        var target = all[(int)((uint)index % (uint)all.Count)];
        return new UriBuilder(uri) { Scheme = target.Scheme, Host = target.Host, Port = target.Port }.Uri;
    }

    private static (string? Endpoint, string Service) SplitHost(string host)
    {
        if (host.StartsWith('_'))
        {
            var dot = host.IndexOf('.', StringComparison.Ordinal);
            if (dot > 1)
            {
                return (host[1..dot], host[(dot + 1)..]);
            }
        }

        return (null, host);
    }

    private static IEnumerable<string> Values(IConfigurationSection section)
    {
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            yield return section.Value;
            yield break;
        }

        foreach (var child in section.GetChildren().OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue))
        {
            if (!string.IsNullOrWhiteSpace(child.Value))
            {
                yield return child.Value;
            }
        }
    }

    private static Uri ToUri(string value, string defaultScheme, Uri requested)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            return absolute;
        }

        if (!value.Contains("://", StringComparison.Ordinal)
            && Uri.TryCreate($"{defaultScheme}://{value}", UriKind.Absolute, out var hostPort)
            && hostPort.AbsolutePath == "/")
        {
            return hostPort;
        }

        throw new InvalidOperationException(
            $"Services:{requested.Host} has an endpoint '{value}' that is neither an absolute http(s) URI nor host:port.");
    }
}
