using System.Text.Json.Nodes;
using Vigil.Testing;

namespace Vigil.Cli.IntegrationTests;

/// <summary>`vigil topics apply` against the embedded dev broker `make run` starts (a real vigil-devcluster process).</summary>
public sealed class TopicsApplyOnDevBrokerTests
{
    [Fact]
    public async Task OnTheDevBrokerApplyChecksTheManifestsTopicsAndCreatesAMissingOneWithItsPartitionCountInsteadOfTimingOut()
    {
        using var directory = TemporaryDirectory.Create("topics-apply");
        var kafkaPort = FreePorts.One();
        var control = $"http://127.0.0.1:{FreePorts.One()}";
        var bootstrapFile = Path.Combine(directory.Path, "bootstrap");
        await using var broker = ServiceProcess.Start(
            TestPaths.ServiceAssembly("Vigil.DevCluster", "vigil-devcluster"),
            ["--DevCluster:Brokers=1", $"--DevCluster:BasePort={kafkaPort}", $"--DevCluster:ControlUrl={control}", $"--DevCluster:BootstrapFile={bootstrapFile}",
             $"--DevCluster:Manifest={TestPaths.TopicManifest}"]);
        await Eventually.TrueAsync(() => File.Exists(bootstrapFile), TimeSpan.FromSeconds(60), "the dev broker wrote its bootstrap file");
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(TestPaths.TopicManifest, TestContext.Current.CancellationToken))!;
        var topics = manifest["topics"]!.AsArray();
        var extra = topics[0]!.DeepClone();
        extra["name"] = "vigil.extra.v1";
        extra["partitions"] = 6;
        topics.Add(extra);
        var extended = Path.Combine(directory.Path, "topics.json");
        await File.WriteAllTextAsync(extended, manifest.ToJsonString(), TestContext.Current.CancellationToken);
        string[] target = ["--bootstrap", $"127.0.0.1:{kafkaPort}", $"--DevCluster:ControlUrl={control}", "--wait", "30s"];

        var first = await VigilCommand.VigilAsync(["topics", "apply", "--manifest", extended, .. target]);
        var second = await VigilCommand.VigilAsync(["topics", "apply", "--manifest", extended, .. target]);

        Assert.Equal(0, first.ExitCode);
        Assert.StartsWith($"Kafka at 127.0.0.1:{kafkaPort} is the embedded dev broker of `make run`", first.Stdout[0], StringComparison.Ordinal);
        Assert.Contains(first.Stdout, l => l.StartsWith("exists   vigil.alerts.v1: 12 partitions", StringComparison.Ordinal));
        Assert.Contains("created  vigil.extra.v1: 6 partitions, replication factor 3", first.Stdout);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("exists   vigil.extra.v1: 6 partitions; note: replication factor 1, the plan says 3", second.Stdout);
        Assert.DoesNotContain(second.Stdout, l => l.StartsWith("FAILED", StringComparison.Ordinal) || l.StartsWith("MISMATCH", StringComparison.Ordinal));
    }
}
