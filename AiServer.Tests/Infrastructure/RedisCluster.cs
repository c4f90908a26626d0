using System.Globalization;

namespace AiServer.Tests.Infrastructure;

/// <summary>
/// A real Redis Cluster on loopback: six <see cref="RedisServer"/> nodes (<c>--cluster-enabled yes</c>, node timeout
/// 1 s) joined by <c>redis-cli --cluster create ... --cluster-replicas 1</c> into 3 masters with a replica each.
/// Use it as a class fixture; a test that kills a master starts its own with <see cref="StartAsync"/>.
/// Every wait is bounded and says what it waited for.
/// </summary>
public sealed class RedisCluster : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly List<RedisServer> _nodes = [];

    /// <summary>The nodes, in the order they were started (masters first, as <c>--cluster create</c> assigns them).</summary>
    public IReadOnlyList<RedisServer> Nodes => _nodes;

    /// <summary>Every node's address, comma-separated: StackExchange.Redis finds the cluster's layout from any of them.</summary>
    public string ConnectionString => string.Join(',', _nodes.Select(n => $"{n.Host}:{n.Port}"));

    /// <summary>Starts and forms a cluster.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running cluster; dispose it.</returns>
    public static async Task<RedisCluster> StartAsync(CancellationToken cancellationToken)
    {
        var cluster = new RedisCluster();
        try
        {
            await cluster.FormAsync(cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask InitializeAsync() => new(FormAsync(CancellationToken.None));

    /// <summary>The node that serves <paramref name="key"/>'s hash slot now.</summary>
    /// <param name="key">A key.</param>
    /// <returns>The master node.</returns>
    public async Task<RedisServer> MasterOfAsync(string key)
    {
        var slot = int.Parse(await Live.CliAsync("CLUSTER", "KEYSLOT", key), CultureInfo.InvariantCulture);
        foreach (var node in await NodesTableAsync())
        {
            if (node.Flags.Contains("master", StringComparison.Ordinal) && !node.Flags.Contains("fail", StringComparison.Ordinal)
                && node.Slots.Any(range => range.From <= slot && slot <= range.To))
            {
                return _nodes.Single(n => n.Port == node.Port);
            }
        }

        throw new InvalidOperationException($"No live master serves slot {slot} of '{key}'. CLUSTER NODES:{Environment.NewLine}{await Live.CliAsync("CLUSTER", "NODES")}");
    }

    /// <summary>
    /// Kills <paramref name="master"/> (SIGKILL) once its replica has every write, and waits until the replica has
    /// been promoted and the cluster serves every slot again.
    /// </summary>
    /// <param name="master">A master node with a replica.</param>
    /// <returns>The promoted replica.</returns>
    public async Task<RedisServer> KillMasterAndWaitForFailoverAsync(RedisServer master)
    {
        var table = await NodesTableAsync();
        var masterId = table.Single(n => n.Port == master.Port).Id;
        var replica = _nodes.Single(n => n.Port == table.Single(r => r.MasterId == masterId).Port);

        // Replication is asynchronous: wait until the replica is online and has acknowledged everything the master wrote
        // (a replica that never finished its first sync would not be promoted at all).
        await Wait.UntilAsync(async () =>
            {
                var info = await master.CliAsync("INFO", "replication");
                return Offset(info, "master_repl_offset:") is { } offset
                    && info.Contains($"port={replica.Port},state=online,offset={offset},", StringComparison.Ordinal);
            },
            Bound, $"the replica {replica} to catch up with {master}");

        master.Kill();
        await Wait.UntilAsync(async () => (await replica.CliAsync("ROLE")).StartsWith("master", StringComparison.Ordinal), Bound,
            () => $"{replica} to be promoted after {master} was killed. Its log:{Environment.NewLine}{replica.Log}");
        await WaitUntilOkAsync();
        return replica;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    private RedisServer Live => _nodes.First(n => n.ProcessId is not null);

    private static long? Offset(string info, string field)
    {
        var line = info.Split('\n', StringSplitOptions.TrimEntries).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? null : long.Parse(line[field.Length..], CultureInfo.InvariantCulture);
    }

    private async Task FormAsync(CancellationToken cancellationToken)
    {
        var starting = Enumerable.Range(0, 6).Select(_ => RedisServer.StartClusterNodeAsync(cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(starting);
        }
        finally
        {
            _nodes.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
        }

        var output = await _nodes[0].CliAsync(TimeSpan.FromSeconds(60),
            ["--cluster", "create", .. _nodes.Select(n => $"{n.Host}:{n.Port}"), "--cluster-replicas", "1", "--cluster-yes"]);
        if (!output.Contains("All 16384 slots covered", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"redis-cli --cluster create did not cover every slot:{Environment.NewLine}{output}");
        }

        await WaitUntilOkAsync();
    }

    /// <summary>
    /// Every live node reports <c>cluster_state:ok</c>, and every live replica has finished its sync with its master
    /// (<c>master_link_status:up</c>), so a master killed next has a replica that can take over.
    /// </summary>
    private Task WaitUntilOkAsync() => Wait.UntilAsync(async () =>
    {
        foreach (var node in _nodes.Where(n => n.ProcessId is not null))
        {
            if (!(await node.CliAsync("CLUSTER", "INFO")).Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                return false;
            }

            var replication = await node.CliAsync("INFO", "replication");
            if (replication.Contains("role:slave", StringComparison.Ordinal) && !replication.Contains("master_link_status:up", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }, Bound, () => "every live cluster node to report cluster_state:ok. " + string.Join(Environment.NewLine, _nodes.Select(n => $"{n}:{Environment.NewLine}{n.Log}")));

    private async Task<IReadOnlyList<NodeEntry>> NodesTableAsync()
    {
        var text = await Live.CliAsync("CLUSTER", "NODES");
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(NodeEntry.Parse)];
    }

    /// <summary>One line of <c>CLUSTER NODES</c>: id, ip:port@bus, flags, master id, ..., slot ranges.</summary>
    private sealed record NodeEntry(string Id, int Port, string Flags, string MasterId, IReadOnlyList<(int From, int To)> Slots)
    {
        public static NodeEntry Parse(string line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var address = parts[1].Split('@')[0];
            var port = int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            var slots = parts.Skip(8).Where(p => !p.StartsWith('[')).Select(p =>
            {
                var range = p.Split('-');
                var from = int.Parse(range[0], CultureInfo.InvariantCulture);
                return (from, range.Length > 1 ? int.Parse(range[1], CultureInfo.InvariantCulture) : from);
            }).ToList();
            return new NodeEntry(parts[0], port, parts[2], parts[3], slots);
        }
    }
}
