using Vigil.Messaging;
using Vigil.Messaging.Kafka;

namespace Vigil.Cli.UnitTests;

public sealed class TopicPlanTests
{
    private static readonly TopicManifest Manifest = TopicManifest.Parse(
        """
        {
          "topics": [
            { "role": "telemetry", "name": "t.telemetry", "partitions": 48, "replicationFactor": 3, "key": "host.id", "valueMessage": "m",
              "config": { "retention.ms": "86400000", "min.insync.replicas": "2" } },
            { "role": "alerts", "name": "t.alerts", "partitions": 12, "replicationFactor": 3, "key": "host.id", "valueMessage": "m",
              "config": { "min.insync.replicas": "1" } },
            { "role": "dead-letter", "name": "t.dlq", "partitions": 6, "replicationFactor": 2, "key": "k", "valueMessage": "m" }
          ],
          "consumerGroups": []
        }
        """,
        "inline");

    [Fact]
    public void PlansCarryEveryTopicWithTheManifestsPartitionsReplicationAndConfig()
    {
        var plans = TopicPlan.FromManifest(Manifest);

        Assert.Equal(["t.telemetry", "t.alerts", "t.dlq"], plans.Select(p => p.Name));
        var telemetry = plans[0];
        Assert.Equal(48, telemetry.Partitions);
        Assert.Equal(3, telemetry.ReplicationFactor);
        Assert.Equal("86400000", telemetry.Config["retention.ms"]);
        Assert.Equal("2", telemetry.Config["min.insync.replicas"]);
        Assert.Empty(plans[2].Config);
    }

    [Fact]
    public void AReplicationOverrideForASingleBrokerLowersMinInsyncReplicasSoWritesAreAccepted()
    {
        var plans = TopicPlan.FromManifest(Manifest, replicationFactor: 1);

        Assert.All(plans, p => Assert.Equal(1, p.ReplicationFactor));
        Assert.Equal("1", plans[0].Config["min.insync.replicas"]);
        Assert.Equal("86400000", plans[0].Config["retention.ms"]);
        Assert.Equal(48, plans[0].Partitions);
    }

    [Fact]
    public void AReplicationOverrideKeepsAMinInsyncReplicasThatAlreadyFits()
    {
        var plans = TopicPlan.FromManifest(Manifest, replicationFactor: 2);

        Assert.Equal("2", plans[0].Config["min.insync.replicas"]);
        Assert.Equal("1", plans[1].Config["min.insync.replicas"]);
    }

    [Fact]
    public void AReplicationFactorBelowOneIsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TopicPlan.FromManifest(Manifest, replicationFactor: 0));

    [Fact]
    public void AnExistingTopicWithOtherPartitionsIsReportedWithBothCounts()
    {
        var plan = TopicPlan.FromManifest(Manifest)[0];

        var line = new TopicOutcome(plan, TopicOutcomeKind.PartitionMismatch, ActualPartitions: 24, ActualReplicationFactor: 3).Describe();

        Assert.StartsWith("MISMATCH t.telemetry", line, StringComparison.Ordinal);
        Assert.Contains("the cluster has 24 partitions, the manifest declares 48", line, StringComparison.Ordinal);
    }
}
