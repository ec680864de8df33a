using Vigil.DevCluster;

namespace Vigil.Testing;

/// <summary>librdkafka's mock cluster in the test process: 3 brokers on random loopback ports.</summary>
public sealed class EmbeddedKafkaBroker : IKafkaBroker
{
    private readonly MockKafkaCluster cluster = MockKafkaCluster.Start(3);

    public string Description => "embedded dev cluster (librdkafka mock, 3 brokers)";

    public string BootstrapServers => cluster.BootstrapServers;

    public MockKafkaCluster Cluster => cluster;

    public Task CreateTopicAsync(string topic, int partitions)
    {
        cluster.CreateTopic(topic, partitions, 3);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        cluster.Dispose();
        return ValueTask.CompletedTask;
    }
}
