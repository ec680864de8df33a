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

    public static readonly Counter Undecodable = Metrics.CreateCounter(
        "vigil_undecodable_records_total", "Records a downstream group could not decode and skipped without another dead-letter copy.", "topic", "group", "reason");

    public static readonly Counter DeadLetterFailures = Metrics.CreateCounter(
        "vigil_dead_letter_failures_total", "Failed attempts to write a batch's undecodable records to the dead-letter topic.", "group");

    public static readonly Gauge ConsumerStopped = Metrics.CreateGauge(
        "vigil_consumer_stopped", "1 when the consume loop stopped for good (dead-letter topic refusing writes, fatal error).", "group");

    public static readonly Gauge ConsumerStalled = Metrics.CreateGauge(
        "vigil_consumer_stalled", "1 while a batch keeps failing (StallAfterFailures attempts or more).", "group");

    public static readonly Gauge BrokersReachable = Metrics.CreateGauge(
        "vigil_consumer_brokers_reachable", "1 while the consumer has a connection to at least one broker, from librdkafka's statistics.", "group");

    public static readonly Gauge ProducerBuffered = Metrics.CreateGauge(
        "vigil_producer_buffered_records", "Records the producer holds (queued or in flight), from librdkafka's statistics.");

    public static readonly Gauge ProducerBufferedByPartition = Metrics.CreateGauge(
        "vigil_producer_partition_buffered_records", "Records the producer holds for one partition: grows for partitions whose leader is unreachable.", "topic", "partition");

    public static readonly Counter ProducerQueueFullWaits = Metrics.CreateCounter(
        "vigil_producer_queue_full_waits_total", "Times a publish waited because the bounded producer buffer was full.");

    public static readonly Counter StatisticsErrors = Metrics.CreateCounter(
        "vigil_kafka_statistics_errors_total", "librdkafka statistics documents that could not be read.", "client");
}
