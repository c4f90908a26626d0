using System.Collections.Immutable;

namespace AiServer.AppHost.Infrastructure;

/// <summary>Sets properties of a resource snapshot (what the dashboard shows in a resource's details).</summary>
internal static class SnapshotProperties
{
    public static ImmutableArray<ResourcePropertySnapshot> With(this ImmutableArray<ResourcePropertySnapshot> properties, string name, object? value) =>
        [.. properties.Where(p => !string.Equals(p.Name, name, StringComparison.Ordinal)), new ResourcePropertySnapshot(name, value)];
}
