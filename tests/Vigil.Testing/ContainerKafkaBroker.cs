using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Testcontainers.Kafka;

namespace Vigil.Testing;

/// <summary>Real Apache Kafka (KRaft) in a container through Testcontainers; needs a Docker engine.</summary>
public sealed class ContainerKafkaBroker : IKafkaBroker
{
    public const string Image = "apache/kafka:3.9.1";
    private readonly KafkaContainer container;

    private ContainerKafkaBroker(KafkaContainer container) => this.container = container;

    public string Description => $"Kafka container ({Image})";

    public string BootstrapServers => container.GetBootstrapAddress();

    public static async Task<ContainerKafkaBroker> StartAsync()
    {
        var container = new KafkaBuilder(Image).Build();
        await container.StartAsync();
        return new ContainerKafkaBroker(container);
    }

    public async Task CreateTopicAsync(string topic, int partitions)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
    }

    public ValueTask DisposeAsync() => container.DisposeAsync();
}
