namespace AiServer.AppHost.Hosting;

/// <summary>A resource that referencing projects reach through <c>ConnectionStrings__{name}</c>.</summary>
public interface IResourceWithConnectionString : IResource
{
    /// <summary>The connection string once the resource is allocated.</summary>
    string? ConnectionString { get; }

    /// <summary>Further variables injected into every project that references the resource.</summary>
    IEnumerable<KeyValuePair<string, string>> GetReferenceEnvironment();
}
