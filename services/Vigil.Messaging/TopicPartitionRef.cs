namespace Vigil.Messaging;

/// <summary>A partition of a topic, without broker types.</summary>
public readonly record struct TopicPartitionRef(string Topic, int Partition)
{
    public override string ToString() => $"{Topic}[{Partition}]";
}
