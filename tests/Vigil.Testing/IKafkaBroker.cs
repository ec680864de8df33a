namespace Vigil.Testing;

/// <summary>A real Kafka-protocol broker a test talks to: the embedded dev cluster or a Kafka container.</summary>
public interface IKafkaBroker : IAsyncDisposable
{
    /// <summary>Shown in test output: which kind of broker ran the assertions.</summary>
    string Description { get; }

    string BootstrapServers { get; }

    Task CreateTopicAsync(string topic, int partitions);
}
