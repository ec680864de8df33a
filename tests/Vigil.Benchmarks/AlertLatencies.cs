using Confluent.Kafka;
using Vigil.Contracts.Alerts;
using Vigil.SchemaRegistry;

namespace Vigil.Benchmarks;

/// <summary>
/// Reads the alert topic while the topology runs and takes, for each alert, the time from its last event (stamped
/// with the wall clock when the producer sent it) to the moment the alert was read here: event→alert latency.
/// </summary>
internal sealed class AlertLatencies : IDisposable
{
    private readonly IConsumer<byte[]?, byte[]?> consumer;
    private readonly Thread thread;
    private readonly ProtobufRecordCodec<Alert> codec = new(null);
    private readonly Lock gate = new();
    private volatile bool stopping;
    private List<(string Producer, double Milliseconds)>? step;

    public AlertLatencies(string bootstrap, string topic)
    {
        consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = $"latency-{Guid.NewGuid():N}", EnableAutoCommit = false }).Build();
        // TestTopics declares the alert topic with 4 partitions; read only what arrives from now on.
        consumer.Assign(Enumerable.Range(0, 4).Select(p => new TopicPartitionOffset(topic, p, Offset.End)));
        thread = new Thread(Run) { IsBackground = true, Name = "alert-latency" };
        thread.Start();
    }

    public void StartStep()
    {
        lock (gate)
        {
            step = [];
        }
    }

    /// <summary>Latencies of the alerts read since <see cref="StartStep"/>, by producing service.</summary>
    public List<(string Producer, double Milliseconds)> EndStep()
    {
        lock (gate)
        {
            var taken = step ?? [];
            step = null;
            return taken;
        }
    }

    public void Dispose()
    {
        stopping = true;
        thread.Join();
        consumer.Close();
        consumer.Dispose();
    }

    private void Run()
    {
        while (!stopping)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result?.Message.Value is not { } value)
            {
                continue;
            }

            var nowNanos = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
            var alert = codec.Decode(value);
            lock (gate)
            {
                step?.Add((alert.Producer, (nowNanos - alert.LastEventTime) / 1e6));
            }
        }
    }
}
