using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vigil.Messaging;

namespace Vigil.DevCluster;

/// <summary>Hosts the mock cluster for the lifetime of the process: topics from the manifest, fixed ports, bootstrap file.</summary>
public sealed class DevClusterService(IOptions<DevClusterOptions> options, ILogger<DevClusterService> logger) : IHostedService, IDisposable
{
    private MockKafkaCluster? cluster;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var manifest = TopicManifest.LoadDefault(settings.Manifest);
        cluster = MockKafkaCluster.Start(settings.Brokers);
        cluster.ExposeOnFixedPorts(settings.BasePort);
        cluster.CreateTopics(manifest);

        var bootstrapFile = Path.GetFullPath(settings.BootstrapFile);
        Directory.CreateDirectory(Path.GetDirectoryName(bootstrapFile)!);
        File.WriteAllText(bootstrapFile, cluster.BootstrapServers + Environment.NewLine);

        foreach (var topic in manifest.Topics)
        {
            logger.LogInformation("Topic {Topic}: {Partitions} partitions", topic.Name, topic.Partitions);
        }

        logger.LogInformation(
            "Dev Kafka cluster ready: {Brokers} brokers, bootstrap {Bootstrap} (written to {BootstrapFile})",
            settings.Brokers, cluster.BootstrapServers, bootstrapFile);
        return Task.CompletedTask;
    }

    /// <summary>The running cluster, for the control endpoint.</summary>
    public MockKafkaCluster Cluster => cluster ?? throw new InvalidOperationException("The dev cluster is not running.");

    public Task StopAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("Stopping dev Kafka cluster");
        Dispose();
        var bootstrapFile = Path.GetFullPath(options.Value.BootstrapFile);
        if (File.Exists(bootstrapFile))
        {
            File.Delete(bootstrapFile);
        }

        return Task.CompletedTask;
    }

    public void Dispose()
    {
        cluster?.Dispose();
        cluster = null;
    }
}
