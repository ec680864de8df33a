namespace Vigil.Messaging.Kafka;

/// <summary>A record the broker did not acknowledge; callers must not treat its input as handled.</summary>
public sealed class KafkaDeliveryException(string topic, string reason, Exception? inner = null)
    : Exception($"Delivery to {topic} failed: {reason}", inner)
{
    public string Topic { get; } = topic;
}
