using System.Globalization;

namespace Vigil.Messaging.Kafka;

/// <summary>One topic as it is to be created on a cluster: the manifest's declaration, possibly adapted to a smaller cluster.</summary>
public sealed record TopicPlan(string Name, int Partitions, short ReplicationFactor, IReadOnlyDictionary<string, string> Config)
{
    private const string MinInsyncReplicas = "min.insync.replicas";

    /// <summary>
    /// Every topic of <paramref name="manifest"/>. A <paramref name="replicationFactor"/> replaces the manifest's (for
    /// single-broker development clusters) and lowers min.insync.replicas to at most that factor, because a topic
    /// whose min.insync.replicas exceeds its replicas rejects every acks=all write.
    /// </summary>
    public static IReadOnlyList<TopicPlan> FromManifest(TopicManifest manifest, short? replicationFactor = null)
    {
        if (replicationFactor is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(replicationFactor), replicationFactor, "A replication factor must be at least 1.");
        }

        return manifest.Topics.Select(t => Plan(t, replicationFactor)).ToArray();
    }

    private static TopicPlan Plan(TopicDeclaration topic, short? replicationFactor)
    {
        if (replicationFactor is not { } factor)
        {
            return new TopicPlan(topic.Name, topic.Partitions, topic.ReplicationFactor, topic.Config);
        }

        var config = new Dictionary<string, string>(topic.Config, StringComparer.Ordinal);
        if (config.TryGetValue(MinInsyncReplicas, out var declared)
            && int.TryParse(declared, NumberStyles.None, CultureInfo.InvariantCulture, out var minInsync)
            && minInsync > factor)
        {
            config[MinInsyncReplicas] = factor.ToString(CultureInfo.InvariantCulture);
        }

        return new TopicPlan(topic.Name, topic.Partitions, factor, config);
    }
}
