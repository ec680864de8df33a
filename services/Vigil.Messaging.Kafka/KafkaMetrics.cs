using Prometheus;

namespace Vigil.Messaging.Kafka;

/// <summary>
/// Prometheus metrics of the Kafka transport (documented in docs/operations.md), one instance per host, created in
/// the host's registry (<see cref="Vigil.ServiceDefaults.MetricsServiceCollectionExtensions.AddVigilMetrics"/>).
/// </summary>
public sealed class KafkaMetrics(IMetricFactory factory)
{
    public Counter RecordsConsumed { get; } = factory.CreateCounter(
        "vigil_records_consumed_total", "Records consumed and handed to a handler or the dead-letter topic.", ["topic", "group"]);

    public Counter RecordsProduced { get; } = factory.CreateCounter(
        "vigil_records_produced_total", "Records the broker acknowledged.", ["topic"]);

    public Counter ProduceErrors { get; } = factory.CreateCounter(
        "vigil_produce_errors_total", "Records the broker did not acknowledge.", ["topic"]);

    public Counter DeadLettered { get; } = factory.CreateCounter(
        "vigil_dead_letter_records_total", "Undecodable records sent to the dead-letter topic.", ["source_topic", "reason"]);

    public Histogram HandlerDuration { get; } = factory.CreateHistogram(
        "vigil_handler_batch_duration_seconds",
        "Time a handler took for one batch (successful or not), from its start on a thread-pool thread to its return; the wait for that thread is vigil_handler_queue_seconds.",
        new HistogramConfiguration
        {
            LabelNames = ["group"],
            Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16),
        });

    public Histogram HandlerQueue { get; } = factory.CreateHistogram(
        "vigil_handler_queue_seconds", "Time a batch handed over waited for a thread-pool thread before its handler started.",
        new HistogramConfiguration
        {
            LabelNames = ["group"],
            Buckets = Histogram.ExponentialBuckets(0.00001, 4, 10),
        });

    public Counter HandlerWait { get; } = factory.CreateCounter(
        "vigil_consumer_handler_wait_seconds_total",
        "Time the consume thread had the next batch ready and waited for the handler to finish the previous one: its rate near 1 means the service is handler-bound, near 0 fetch-bound (or idle).",
        ["group"]);

    public Counter WriteWait { get; } = factory.CreateCounter(
        "vigil_consumer_write_wait_seconds_total",
        "Time the consume thread waited for a handled batch's writes (a deferred-durability handler's state write and alerts) to complete before storing its offsets and handing over the batch after next: its rate near 1 means the service is bound by the round trips of its store or broker, not by its CPU.",
        ["group"]);

    public Counter RecordsSkipped { get; } = factory.CreateCounter(
        "vigil_kafka_records_skipped_total",
        "Offsets of an owned partition the consumer never read: the next record came after a hole (records deleted by retention before the consumer reached them).",
        ["group", "topic", "partition"]);

    public Counter OffsetResets { get; } = factory.CreateCounter(
        "vigil_kafka_offset_resets_total",
        "Times librdkafka moved a partition's position by auto.offset.reset after a fetch error (e.g. offset out of range).",
        ["group", "topic", "partition"]);

    public Counter HandlerFailures { get; } = factory.CreateCounter(
        "vigil_handler_failures_total", "Batches whose handler failed; they are retried from their first offset.", ["group"]);

    public Gauge ConsumerLag { get; } = factory.CreateGauge(
        "vigil_consumer_lag", "Records between the consumer's position and the partition's high watermark.", ["group", "topic", "partition"]);

    public Gauge AssignedPartitions { get; } = factory.CreateGauge(
        "vigil_consumer_assigned_partitions", "Partitions this consumer owns.", ["group"]);

    public Counter Rebalances { get; } = factory.CreateCounter(
        "vigil_consumer_rebalances_total", "Partition assignment changes seen by this consumer.", ["group", "kind"]);

    public Counter Undecodable { get; } = factory.CreateCounter(
        "vigil_undecodable_records_total", "Records a downstream group could not decode and skipped without another dead-letter copy.", ["topic", "group", "reason"]);

    public Counter DeadLetterFailures { get; } = factory.CreateCounter(
        "vigil_dead_letter_failures_total", "Failed attempts to write a batch's undecodable records to the dead-letter topic.", ["group"]);

    public Gauge ConsumerStopped { get; } = factory.CreateGauge(
        "vigil_consumer_stopped", "1 when the consume loop stopped for good (dead-letter topic refusing writes, fatal error).", ["group"]);

    public Gauge ConsumerStalled { get; } = factory.CreateGauge(
        "vigil_consumer_stalled", "1 while a batch keeps failing (StallAfterFailures attempts or more).", ["group"]);

    public Gauge BrokersReachable { get; } = factory.CreateGauge(
        "vigil_consumer_brokers_reachable", "1 while the consumer has a connection to at least one broker, from librdkafka's statistics.", ["group"]);

    public Gauge ProducerBuffered { get; } = factory.CreateGauge(
        "vigil_producer_buffered_records", "Records the producer holds (queued or in flight), from librdkafka's statistics.");

    public Gauge ProducerBufferedByPartition { get; } = factory.CreateGauge(
        "vigil_producer_partition_buffered_records", "Records the producer holds for one partition: grows for partitions whose leader is unreachable.", ["topic", "partition"]);

    public Counter ProducerQueueFullWaits { get; } = factory.CreateCounter(
        "vigil_producer_queue_full_waits_total", "Times a publish waited because the bounded producer buffer was full.");

    public Counter StatisticsErrors { get; } = factory.CreateCounter(
        "vigil_kafka_statistics_errors_total", "librdkafka statistics documents that could not be read.", ["client"]);
}
