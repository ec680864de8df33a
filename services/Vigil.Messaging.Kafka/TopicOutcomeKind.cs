namespace Vigil.Messaging.Kafka;

/// <summary>What provisioning did with one topic.</summary>
public enum TopicOutcomeKind
{
    /// <summary>The topic did not exist and was created as planned.</summary>
    Created,

    /// <summary>The topic already existed with the planned partition count.</summary>
    Existed,

    /// <summary>The topic already existed with another partition count than planned; it was left as it is.</summary>
    PartitionMismatch,

    /// <summary>
    /// The topic does not exist on a cluster that cannot create topics through the admin API (librdkafka's mock
    /// cluster, the embedded dev broker) and could not be created another way; nothing was changed.
    /// </summary>
    MissingOnEmbeddedBroker,

    /// <summary>The topic could not be created (or its cluster not reached) before the deadline.</summary>
    Failed,
}
