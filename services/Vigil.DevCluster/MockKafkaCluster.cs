using System.Runtime.InteropServices;
using System.Text;
using Vigil.Messaging;

namespace Vigil.DevCluster;

/// <summary>
/// A Kafka-protocol broker set running inside this process (librdkafka's mock cluster), listening on
/// loopback. Limits (README.md, "The embedded broker keeps little"): 5 MiB kept per partition, no transactional isolation, no admin
/// topic operations: topics are created here, from the manifest.
/// </summary>
public sealed class MockKafkaCluster : IDisposable
{
    private const int ProducerType = 0;
    private readonly object gate = new();
    private readonly List<BrokerPortForwarder> forwarders = [];
    private nint handle;
    private nint cluster;

    private MockKafkaCluster(nint handle, nint cluster, int brokerCount)
    {
        this.handle = handle;
        this.cluster = cluster;
        BrokerCount = brokerCount;
        var raw = Marshal.PtrToStringUTF8(LibrdkafkaMock.ClusterBootstraps(cluster)) ?? string.Empty;
        BrokerAddresses = raw.Split(',', StringSplitOptions.RemoveEmptyEntries);
        BootstrapServers = raw;
    }

    public int BrokerCount { get; }

    /// <summary>The address clients bootstrap from (the fixed forwarded ports when those were requested).</summary>
    public string BootstrapServers { get; private set; }

    /// <summary>The listening address of each broker, broker id 1 first.</summary>
    public IReadOnlyList<string> BrokerAddresses { get; private set; }

    /// <summary>
    /// Starts <paramref name="brokerCount"/> brokers on random loopback ports. Consumer groups rebalance
    /// without the 3 s initial delay real brokers use, since nothing here waits for more members.
    /// </summary>
    public static MockKafkaCluster Start(int brokerCount = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        var errors = new byte[512];
        var conf = LibrdkafkaMock.ConfNew();
        // The handle only owns the mock cluster; keep its own logging quiet.
        LibrdkafkaMock.ConfSet(conf, "log_level", "3", errors, (nuint)errors.Length);
        var rk = LibrdkafkaMock.KafkaNew(ProducerType, conf, errors, (nuint)errors.Length);
        if (rk == 0)
        {
            throw new InvalidOperationException($"rd_kafka_new failed: {Encoding.UTF8.GetString(errors).TrimEnd('\0')}");
        }

        var mc = LibrdkafkaMock.ClusterNew(rk, brokerCount);
        if (mc == 0)
        {
            LibrdkafkaMock.KafkaDestroy(rk);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed.");
        }

        LibrdkafkaMock.GroupInitialRebalanceDelayMs(mc, 0);
        return new MockKafkaCluster(rk, mc, brokerCount);
    }

    /// <summary>
    /// Makes broker i reachable at 127.0.0.1:(basePort + i - 1) through a forwarder, and advertises
    /// those ports in metadata so clients outside this process connect to stable addresses.
    /// </summary>
    public void ExposeOnFixedPorts(int basePort)
    {
        lock (gate)
        {
            var exposed = new List<string>();
            for (var brokerId = 1; brokerId <= BrokerCount; brokerId++)
            {
                var port = basePort + brokerId - 1;
                var forwarder = BrokerPortForwarder.Start(port, BrokerAddresses[brokerId - 1]);
                forwarders.Add(forwarder);
                Check(LibrdkafkaMock.BrokerSetHostPort(cluster, brokerId, "127.0.0.1", port), $"advertise broker {brokerId} on port {port}");
                exposed.Add($"127.0.0.1:{port}");
            }

            BrokerAddresses = exposed;
            BootstrapServers = string.Join(',', exposed);
        }
    }

    public void CreateTopic(string topic, int partitions, int replicationFactor)
    {
        var replicas = Math.Min(replicationFactor, BrokerCount);
        Check(LibrdkafkaMock.TopicCreate(Cluster, topic, partitions, replicas), $"create topic {topic}");
    }

    /// <summary>Creates every topic of the manifest with its declared partition count.</summary>
    public void CreateTopics(TopicManifest manifest)
    {
        foreach (var topic in manifest.Topics)
        {
            CreateTopic(topic.Name, topic.Partitions, topic.ReplicationFactor);
        }
    }

    /// <summary>Takes a broker (or all, with -1) down, for failure tests; leadership does not move by itself.</summary>
    public void SetBrokerDown(int brokerId) => Check(LibrdkafkaMock.BrokerSetDown(Cluster, brokerId), $"take broker {brokerId} down");

    public void SetBrokerUp(int brokerId) => Check(LibrdkafkaMock.BrokerSetUp(Cluster, brokerId), $"bring broker {brokerId} up");

    /// <summary>Simulates a leader election for one partition.</summary>
    public void SetPartitionLeader(string topic, int partition, int brokerId) =>
        Check(LibrdkafkaMock.PartitionSetLeader(Cluster, topic, partition, brokerId), $"move leader of {topic}[{partition}] to broker {brokerId}");

    public void Dispose()
    {
        lock (gate)
        {
            foreach (var forwarder in forwarders)
            {
                forwarder.Dispose();
            }

            forwarders.Clear();
            if (cluster != 0)
            {
                LibrdkafkaMock.ClusterDestroy(cluster);
                cluster = 0;
            }

            if (handle != 0)
            {
                LibrdkafkaMock.KafkaDestroy(handle);
                handle = 0;
            }
        }
    }

    private nint Cluster => cluster != 0 ? cluster : throw new ObjectDisposedException(nameof(MockKafkaCluster));

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"Mock cluster could not {what}: {LibrdkafkaMock.Describe(error)}.");
        }
    }
}
