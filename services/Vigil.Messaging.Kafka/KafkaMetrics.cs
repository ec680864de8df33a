using Prometheus;

namespace Vigil.Messaging.Kafka;

/// <summary>Prometheus metrics of the Kafka transport (documented in docs/operations.md).</summary>
internal static class KafkaMetrics
{
    public static readonly Counter RecordsConsumed = Metrics.CreateCounter(
        "vigil_records_consumed_total", "Records consumed and handed to a handler or the dead-letter topic.", "topic", "group");

    public static readonly Counter RecordsProduced = Metrics.CreateCounter(
        "vigil_records_produced_total", "Records the broker acknowledged.", "topic");

    public static readonly Counter ProduceErrors = Metrics.CreateCounter(
        "vigil_produce_errors_total", "Records the broker did not acknowledge.", "topic");

    public static readonly Counter DeadLettered = Metrics.CreateCounter(
        "vigil_dead_letter_records_total", "Undecodable records sent to the dead-letter topic.", "source_topic", "reason");

    public static readonly Histogram HandlerDuration = Metrics.CreateHistogram(
        "vigil_handler_batch_duration_seconds", "Time a handler took for one batch (successful or not).",
        new HistogramConfiguration
        {
            LabelNames = ["group"],
            Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16),
        });

    public static readonly Counter HandlerFailures = Metrics.CreateCounter(
        "vigil_handler_failures_total", "Batches whose handler failed; they are retried from their first offset.", "group");

    public static readonly Gauge ConsumerLag = Metrics.CreateGauge(
        "vigil_consumer_lag", "Records between the consumer's position and the partition's high watermark.", "group", "topic", "partition");

    public static readonly Gauge AssignedPartitions = Metrics.CreateGauge(
        "vigil_consumer_assigned_partitions", "Partitions this consumer owns.", "group");

    public static readonly Counter Rebalances = Metrics.CreateCounter(
        "vigil_consumer_rebalances_total", "Partition assignment changes seen by this consumer.", "group", "kind");
}
