using System.Net;
using System.Net.Sockets;

namespace Vigil.Cli.UnitTests;

public sealed class TopicsApplyCommandTests : IDisposable
{
    private readonly string manifest = Path.Combine(Path.GetTempPath(), $"vigil-topics-{Guid.NewGuid():N}.json");
    private readonly StringWriter output = new();
    private readonly StringWriter errors = new();

    public TopicsApplyCommandTests() => File.WriteAllText(manifest, """
        {
          "topics": [
            { "role": "telemetry", "name": "t.telemetry", "partitions": 4, "replicationFactor": 1, "key": "host.id", "valueMessage": "m" },
            { "role": "alerts", "name": "t.alerts", "partitions": 2, "replicationFactor": 1, "key": "host.id", "valueMessage": "m" },
            { "role": "dead-letter", "name": "t.dlq", "partitions": 1, "replicationFactor": 1, "key": "k", "valueMessage": "m" }
          ],
          "consumerGroups": []
        }
        """);

    [Fact]
    public async Task AClusterThatNeverAnswersFailsEveryTopicOnceTheWaitIsOver()
    {
        var bootstrap = $"127.0.0.1:{ClosedPort()}";

        var exit = await Run("topics", "apply", "--manifest", manifest, "--bootstrap", bootstrap, "--wait", "2s");

        Assert.Equal(1, exit);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("FAILED", l, StringComparison.Ordinal));
        Assert.All(lines, l => Assert.Contains($"Kafka at {bootstrap} did not answer before the deadline", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMissingManifestIsReportedBeforeConnecting()
    {
        var exit = await Run("topics", "apply", "--manifest", manifest + ".missing", "--bootstrap", "127.0.0.1:1");

        Assert.Equal(1, exit);
        Assert.Contains(manifest + ".missing", errors.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task BadUsageExitsWithTwoAndPrintsTheUsage()
    {
        var exit = await Run("topics", "apply", "--replication-factor", "0");

        Assert.Equal(2, exit);
        Assert.Contains(TopicsApplyCommand.Usage, errors.ToString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        File.Delete(manifest);
        output.Dispose();
        errors.Dispose();
    }

    private Task<int> Run(params string[] args) => TopicsApplyCommand.RunAsync(CliArguments.Parse(args), output, errors);

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
