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
    private readonly Func<Alert, LatencyClass> classify;
    private List<AlertLatency>? step;

    /// <param name="classify">The latency class of an alert read from <paramref name="topic"/>.</param>
    public AlertLatencies(string bootstrap, string topic, Func<Alert, LatencyClass> classify)
    {
        this.classify = classify;
        consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"latency-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            // The embedded broker answers a fetch that finds nothing only after fetch.wait.max.ms (it does not wake
            // on new data as Kafka does); the measuring consumer must not add that wait to every alert.
            FetchWaitMaxMs = 10,
        }).Build();
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
    public List<AlertLatency> EndStep()
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
                step?.Add(new AlertLatency(alert.Producer, alert.Rule.Id, classify(alert), (nowNanos - alert.LastEventTime) / 1e6));
            }
        }
    }
}
