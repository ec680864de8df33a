using System.Collections.Concurrent;
using Confluent.Kafka;
using Vigil.Contracts.Alerts;
using Vigil.SchemaRegistry;

namespace Vigil.Baseline.IntegrationTests;

/// <summary>Reads a test's alert topic from the beginning on a background thread, with each alert's record key.</summary>
internal sealed class AlertCollector : IDisposable
{
    private readonly IConsumer<byte[]?, byte[]?> consumer;
    private readonly ProtobufRecordCodec<Alert> codec = new(schemaId: null);
    private readonly CancellationTokenSource stop = new();
    private readonly Thread thread;
    private readonly ConcurrentQueue<(string Key, Alert Alert)> received = new();
    private readonly ConcurrentDictionary<int, long> positions = new();
    private readonly string topic;
    private readonly string bootstrapServers;

    public AlertCollector(string bootstrapServers, string topic)
    {
        this.topic = topic;
        this.bootstrapServers = bootstrapServers;
        consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"alerts-{Guid.NewGuid():N}",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        thread = new Thread(Run) { IsBackground = true, Name = "alert-collector" };
        thread.Start();
    }

    public IReadOnlyList<(string Key, Alert Alert)> Received => [.. received];

    public IReadOnlyList<Alert> Alerts => received.Select(r => r.Alert).ToList();

    /// <summary>Waits until everything the alert topic holds now has been read.</summary>
    public async Task CaughtUpAsync(int partitions)
    {
        using var admin = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = $"w-{Guid.NewGuid():N}" }).Build();
        var ends = Enumerable.Range(0, partitions)
            .ToDictionary(p => p, p => admin.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
        await Vigil.Testing.Eventually.TrueAsync(
            () => ends.All(e => e.Value == 0 || positions.GetValueOrDefault(e.Key, -1) >= e.Value - 1),
            TimeSpan.FromSeconds(30),
            "the alert collector read every published alert");
    }

    public void Dispose()
    {
        stop.Cancel();
        thread.Join();
        consumer.Close();
        consumer.Dispose();
        stop.Dispose();
    }

    private void Run()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result?.Message?.Value is { } value)
                {
                    received.Enqueue((System.Text.Encoding.UTF8.GetString(result.Message.Key ?? []), codec.Decode(value)));
                    positions[result.Partition.Value] = result.Offset.Value;
                }
            }
            catch (ConsumeException)
            {
                // The topic may not exist yet in the first polls.
            }
        }
    }
}
