using AiServer.ProviderEmulator.Infrastructure;

namespace AiServer.ProviderEmulator.Providers.Replicate;

/// <summary>Uploaded files, kept in memory until reset or deletion.</summary>
internal sealed class ReplicateFileStore : IResettable
{
    /// <summary>Replicate's upload limit; above it <c>POST /v1/files</c> answers 413.</summary>
    public const long MaxFileSize = 100L * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ReplicateFile> _files = new(StringComparer.Ordinal);

    public void Add(ReplicateFile file)
    {
        lock (_gate)
        {
            _files[file.Id] = file;
        }
    }

    public ReplicateFile? Get(string id)
    {
        lock (_gate)
        {
            return _files.GetValueOrDefault(id);
        }
    }

    public List<ReplicateFile> List()
    {
        lock (_gate)
        {
            return [.. _files.Values.OrderByDescending(f => f.CreatedAt)];
        }
    }

    public bool Delete(string id)
    {
        lock (_gate)
        {
            return _files.Remove(id);
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _files.Clear();
        }
    }
}
