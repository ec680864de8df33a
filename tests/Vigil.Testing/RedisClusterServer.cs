using System.Diagnostics;
using Xunit;

namespace Vigil.Testing;

/// <summary>
/// A real three-primary Redis Cluster (three redis-server processes on 127.0.0.1, no replicas) for tests;
/// usable as an xunit class or assembly fixture. Node logs and the cluster creation output are quoted in failure messages.
/// </summary>
public sealed class RedisClusterServer : IAsyncLifetime
{
    public const int PrimaryCount = 3;

    private static readonly TimeSpan CreateDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ConvergeDeadline = TimeSpan.FromSeconds(30);

    private readonly TemporaryDirectory directory = TemporaryDirectory.Create("vigil-redis-cluster-");
    private readonly List<RedisServer> nodes = [];

    /// <summary>Holds one subdirectory per node and the output of cluster creation.</summary>
    public string Directory => directory.Path;

    public IReadOnlyList<RedisServer> Nodes => nodes;

    /// <summary>"127.0.0.1:port" of every primary.</summary>
    public IReadOnlyList<string> Endpoints => nodes.Select(n => n.Endpoint).ToArray();

    private string CreateLogPath => directory.Combine("cluster-create.log");

    public async ValueTask InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            // Clean up now: a fixture whose start failed may never be disposed (disposing twice is harmless).
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        var redisCli = ExternalTool.Require("redis-cli", "redis-server");
        for (var i = 1; i <= PrimaryCount; i++)
        {
            nodes.Add(new RedisServer(new RedisServerSettings { ClusterEnabled = true, Directory = directory.Combine($"node-{i}") }));
        }

        await Task.WhenAll(nodes.Select(n => n.InitializeAsync().AsTask()));

        var (exitCode, output) = await ExternalTool.RunAsync(
            redisCli,
            ["--cluster", "create", .. Endpoints, "--cluster-replicas", "0", "--cluster-yes"],
            CreateDeadline,
            Directory);
        await File.WriteAllTextAsync(CreateLogPath, output);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed with exit code {exitCode}.\n{Diagnostics()}");
        }

        await WaitUntilEveryNodeReportsOkAsync();
    }

    /// <summary>Every node's log plus the cluster creation output, for failure messages.</summary>
    public string Diagnostics()
    {
        var create = File.Exists(CreateLogPath) ? File.ReadAllText(CreateLogPath) : "(cluster not created yet)";
        return string.Join("\n", nodes.Select(n => n.Diagnostics())) + $"\n--- {CreateLogPath} ---\n{create}";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }

        directory.Dispose();
    }

    private async Task WaitUntilEveryNodeReportsOkAsync()
    {
        // redis-cli returns once slots are assigned; each node flips to cluster_state:ok when gossip reaches it.
        var deadline = Stopwatch.StartNew();
        var states = new string[PrimaryCount];
        while (deadline.Elapsed < ConvergeDeadline)
        {
            for (var i = 0; i < PrimaryCount; i++)
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                states[i] = await nodes[i].SendAsync(attempt.Token, "CLUSTER", "INFO");
            }

            if (states.All(s => s.Contains("cluster_state:ok", StringComparison.Ordinal)
                && s.Contains($"cluster_known_nodes:{PrimaryCount}", StringComparison.Ordinal)))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException(
            $"The Redis Cluster did not reach cluster_state:ok within {ConvergeDeadline}:\n{string.Join("\n", states)}\n{Diagnostics()}");
    }
}
