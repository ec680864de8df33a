namespace Vigil.Messaging.Kafka;

/// <summary>How consume loops batch, commit and recover (configuration section "Kafka:Consumer").</summary>
public sealed class KafkaConsumerSettings
{
    /// <summary>Most records handed to a handler at once.</summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>How long a batch may wait to fill once its first record arrived.</summary>
    public TimeSpan MaxBatchWait { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Whether the loop reads and decodes the next batch while the handler handles the previous one (on another
    /// thread), instead of waiting for it. Batches are still handled one at a time and in order, and a batch's offsets
    /// are still stored only after it was handled; off, the loop is one thread doing both in turn.
    /// </summary>
    public bool OverlapBatches { get; set; } = true;

    /// <summary>
    /// Whether a handler that can (<see cref="Vigil.Messaging.IDeferredDurabilityHandler{T}"/>: the correlators) is
    /// handed the next batch while the previous one's writes are still in flight; a batch's offsets are still stored only
    /// once its writes completed, and a failed write rewinds to its batch. Only with <see cref="OverlapBatches"/>; off,
    /// each batch waits for its own writes before the next is handed over.
    /// </summary>
    public bool OverlapWrites { get; set; } = true;

    /// <summary>
    /// Whether the loop reads records straight from librdkafka's queue (<see cref="DirectConsumer{T}"/>) rather than
    /// through Confluent's <c>Consume</c>, which allocates several objects per record. The same records, offsets and
    /// callbacks either way; off is the escape hatch should a Confluent.Kafka build behave differently from the one
    /// Vigil pins (the loop also falls back by itself, with a warning, when it cannot bind).
    /// </summary>
    public bool ReadDirect { get; set; } = true;

    /// <summary>
    /// Most records a batch may grow to while the handler is still busy with the previous one, or (a deferred-durability
    /// handler) the write of the batch before that is still in flight (records were already waiting: a backlog). Larger batches spread the handler's per-batch round trips (state store, alert publish) over
    /// more records exactly when it is the bottleneck; a batch is never held back for it, so it costs no latency.
    /// Unset: five times <see cref="MaxBatchSize"/>.
    /// </summary>
    public int? MaxBacklogBatchSize { get; set; }

    /// <summary>The backlog limit in effect (never below <see cref="MaxBatchSize"/>).</summary>
    internal int BacklogBatchLimit => Math.Max(MaxBatchSize, MaxBacklogBatchSize ?? MaxBatchSize * 5);

    /// <summary>Overrides the manifest's group id (tests, blue/green runs).</summary>
    public string? GroupId { get; set; }

    /// <summary>
    /// Static membership id (group.instance.id) so a restarted instance takes its partitions back at once;
    /// "{pod}" and "{host}" are replaced by POD_NAME and the host name. Unset: POD_NAME when Kubernetes
    /// sets it, else dynamic membership. Must be unique among the live members of one group.
    /// </summary>
    public string? GroupInstanceId { get; set; }

    /// <summary>classic (JoinGroup/SyncGroup with the cooperative-sticky assignor) or consumer (KIP-848).</summary>
    public string GroupProtocol { get; set; } = "classic";

    /// <summary>How often librdkafka reports statistics (lag per partition, broker state).</summary>
    public int StatisticsIntervalMs { get; set; } = 5000;

    /// <summary>Consecutive failed attempts of one batch after which readiness reports the loop stalled.</summary>
    public int StallAfterFailures { get; set; } = 5;

    /// <summary>
    /// Consecutive failed writes to the dead-letter topic after which the loop stops (readiness false,
    /// a critical log line, vigil_consumer_stopped 1) instead of retrying the same records quietly forever.
    /// </summary>
    public int DeadLetterAttempts { get; set; } = 8;

    /// <summary>
    /// How long a member may hold no partitions (a rebalance in progress) before readiness turns false,
    /// as long as the group still has records waiting.
    /// </summary>
    public TimeSpan NoPartitionsGrace { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>earliest or latest: where a group without committed offsets starts.</summary>
    public string AutoOffsetReset { get; set; } = "earliest";

    /// <summary>How often stored (handled) offsets are committed in the background.</summary>
    public int CommitIntervalMs { get; set; } = 5000;

    /// <summary>
    /// How long the group waits for a silent member before moving its partitions (classic protocol). Short, so a
    /// crashed instance's partitions resume elsewhere, or in its restarted self, within seconds; heartbeats
    /// come from librdkafka's own thread every third of it, so a slow batch never expires the session
    /// (MaxPollIntervalMs bounds that). The brokers' group.min.session.timeout.ms (6 s by default) is the floor.
    /// </summary>
    public int SessionTimeoutMs { get; set; } = 6000;

    public int MaxPollIntervalMs { get; set; } = 300000;

    /// <summary>First wait after a failed batch; doubles up to <see cref="MaxRetryBackoff"/>.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>On shutdown, how long the batch in hand may take to finish before it is abandoned (and redelivered later).</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// librdkafka properties for consumers only (e.g. "fetch.wait.max.ms": "20"), applied after Kafka:Properties, so a
    /// consumer property does not also reach the producers (where librdkafka ignores it with a CONFWARN line). The
    /// properties the consume loop's at-least-once guarantee rests on are refused (see <see cref="Reserved"/>).
    /// </summary>
    public Dictionary<string, string> Properties { get; set; } = [];

    /// <summary>
    /// Consumer properties the loop decides itself: offsets are stored only after a batch was handled; the group and
    /// the static member id (derived per pod, so a fixed one would fence the other replicas); no end-of-partition
    /// results (they carry no record); which fields every record carries; and how often a cancellable Consume checks its
    /// token: the consume loop never waits that way (it polls with timeouts of its own), so the setting would not reach
    /// the loop it seems to tune (only a topic follower's stop, which keeps Confluent's 100 ms).
    /// </summary>
    internal static IReadOnlySet<string> Reserved { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "enable.auto.offset.store", "enable.auto.commit", "group.id", "group.instance.id", "enable.partition.eof",
        "dotnet.consumer.consume.result.fields", "dotnet.cancellation.delay.max.ms",
    };
}
