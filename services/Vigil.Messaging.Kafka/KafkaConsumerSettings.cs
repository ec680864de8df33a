namespace Vigil.Messaging.Kafka;

/// <summary>How consume loops batch, commit and recover (configuration section "Kafka:Consumer").</summary>
public sealed class KafkaConsumerSettings
{
    /// <summary>Most records handed to a handler at once.</summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>How long a batch may wait to fill once its first record arrived.</summary>
    public TimeSpan MaxBatchWait { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Overrides the manifest's group id (tests, blue/green runs).</summary>
    public string? GroupId { get; set; }

    /// <summary>Static membership id (e.g. the pod name) so restarts do not rebalance.</summary>
    public string? GroupInstanceId { get; set; }

    /// <summary>earliest or latest: where a group without committed offsets starts.</summary>
    public string AutoOffsetReset { get; set; } = "earliest";

    /// <summary>How often stored (handled) offsets are committed in the background.</summary>
    public int CommitIntervalMs { get; set; } = 5000;

    public int SessionTimeoutMs { get; set; } = 45000;

    public int MaxPollIntervalMs { get; set; } = 300000;

    /// <summary>First wait after a failed batch; doubles up to <see cref="MaxRetryBackoff"/>.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>On shutdown, how long the batch in hand may take to finish before it is abandoned (and redelivered later).</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);
}
