using System.Text.Json;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// Turns librdkafka's producer statistics into the buffered-records gauges: records waiting per
/// partition (queued or in flight), which is what grows for partitions whose leader is down.
/// </summary>
internal sealed class ProducerStatistics(KafkaMetrics metrics)
{
    private readonly HashSet<(string Topic, string Partition)> reported = [];

    public void Report(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.TryGetProperty("msg_cnt", out var total))
            {
                metrics.ProducerBuffered.Set(total.GetInt64());
            }

            if (!root.TryGetProperty("topics", out var topics))
            {
                return;
            }

            var seen = new HashSet<(string, string)>();
            foreach (var topic in topics.EnumerateObject())
            {
                if (!topic.Value.TryGetProperty("partitions", out var partitions))
                {
                    continue;
                }

                foreach (var partition in partitions.EnumerateObject())
                {
                    if (partition.Value.GetProperty("partition").GetInt32() < 0)
                    {
                        continue; // librdkafka's internal unassigned-partition queue
                    }

                    var waiting = partition.Value.GetProperty("msgq_cnt").GetInt64() + partition.Value.GetProperty("xmit_msgq_cnt").GetInt64();
                    var key = (topic.Name, partition.Name);
                    seen.Add(key);
                    reported.Add(key);
                    metrics.ProducerBufferedByPartition.WithLabels(topic.Name, partition.Name).Set(waiting);
                }
            }

            foreach (var gone in reported.Where(r => !seen.Contains(r)).ToList())
            {
                reported.Remove(gone);
                metrics.ProducerBufferedByPartition.RemoveLabelled(gone.Topic, gone.Partition);
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // A statistics format change must not take the producer down; the gauges just stop moving.
            metrics.StatisticsErrors.WithLabels("producer").Inc();
        }
    }
}
