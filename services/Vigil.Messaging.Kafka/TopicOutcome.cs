namespace Vigil.Messaging.Kafka;

/// <summary>The result of provisioning one planned topic, with what the cluster holds when the topic already existed.</summary>
public sealed record TopicOutcome(TopicPlan Plan, TopicOutcomeKind Kind, int? ActualPartitions = null, int? ActualReplicationFactor = null, string? Error = null)
{
    /// <summary>One line for an operator: what happened, and what differs from the plan.</summary>
    public string Describe()
    {
        var name = Plan.Name;
        var replication = ActualReplicationFactor is { } actual && actual != Plan.ReplicationFactor
            ? $"; note: replication factor {actual}, the plan says {Plan.ReplicationFactor}"
            : string.Empty;
        return Kind switch
        {
            TopicOutcomeKind.Created => $"created  {name}: {Plan.Partitions} partitions, replication factor {Plan.ReplicationFactor}",
            TopicOutcomeKind.Existed => $"exists   {name}: {ActualPartitions} partitions{replication}",
            TopicOutcomeKind.PartitionMismatch =>
                $"MISMATCH {name}: the cluster has {ActualPartitions} partitions, the manifest declares {Plan.Partitions}{replication}. " +
                "Consumer parallelism and autoscaling limits follow the manifest: align it with the cluster, or add partitions (kafka-topics.sh --alter) knowing that hosts move between partitions.",
            TopicOutcomeKind.MissingOnEmbeddedBroker =>
                $"MISSING  {name}: the embedded dev broker cannot create topics over the admin API and its control endpoint did not ({Error}); it creates the manifest's topics when it starts (restart `make run`), and a producer's first record would create this one with 4 partitions.",
            _ => $"FAILED   {name}: {Error}",
        };
    }
}
