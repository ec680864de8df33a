using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Vigil.Baseline.Alerts;
using Vigil.Baseline.Identity;
using Vigil.Baseline.Learning;
using Vigil.Baseline.Storage;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Decoding;
using Vigil.Contracts.Telemetry;
using Vigil.Detection;
using Vigil.Messaging;

namespace Vigil.Baseline;

/// <summary>
/// Learns and checks profiles from consumed telemetry. Per batch: process events only feed the in-memory chain
/// cache and other non-network events are skipped, so a batch without network events costs no Redis round trip;
/// otherwise one pipelined read fetches the touched profiles and the host views not held in memory (the views of owned
/// partitions stay in memory after each write, <see cref="OwnedHostViews"/>), the detector decides, alerts are
/// published and acknowledged, and one pipelined write applies the updates. Only then does the consume loop store
/// the batch's offsets (at-least-once). The host views' watermarks make the write idempotent, so a replay after a
/// crash counts nothing twice and re-derives the same alert ids; alerts go through the <see cref="AlertOutbox"/>, whose
/// recovery at assignment finds those a crash between publish and commit left published but unremembered, so no
/// alert id is published twice. Each batch first checks the <see cref="BaselineGeneration"/> marker, so a Redis that
/// lost the baseline's memory is reported instead of silently relearned from.
/// </summary>
public sealed class BaselineHandler(
    BaselineDetector detector,
    BaselineStore store,
    ProcessChainCache chains,
    AlertOutbox outbox,
    BaselineGeneration? generation,
    BaselineMetrics metrics,
    ILogger<BaselineHandler> logger) : IRecordBatchHandler<TelemetryEvent>, IRecordPreparer<TelemetryEvent>
{
    // The working collections of the batch to come (null while a batch has them).
    private BatchScratch? idle = new();

    /// <summary>
    /// What the baseline reads of an event (protobuf field paths): its kind, the process and parent a process start
    /// leaves in the chain cache (<see cref="ProcessChainCache.LinkOf"/>), and what a network event's observation is
    /// made of (<see cref="NetworkObservation.From"/>: host, image, protocol, peer, bytes, event id and time). An event
    /// is completed only when it becomes an alert's evidence (<see cref="BaselineAlertBuilder"/>), which carries it whole.
    /// </summary>
    public static IReadOnlyList<string> FieldsRead { get; } =
    [
        "timestamp", "event.category", "event.type", "event.action", "event.id", "host.id",
        "process.entity_id", "process.name", "process.executable", "process.ext.effective_parent.entity_id",
        "process.code_signature.exists", "process.code_signature.trusted", "process.code_signature.signing_id", "process.code_signature.team_id",
        "process.parent.entity_id", "process.parent.name", "process.parent.executable",
        "process.parent.parent.entity_id", "process.parent.ext.effective_parent.entity_id",
        "network.transport", "network.protocol", "network.direction",
        "source.ip", "source.port", "source.domain", "source.bytes",
        "destination.ip", "destination.port", "destination.domain", "destination.bytes",

        // Only whether the event has a dns object (a lookup): selecting one of its fields creates the object when
        // the event carries one, as the generated parser does.
        "dns.type",
    ];

    /// <summary>
    /// Recovers alert ids a previous owner of these partitions published but never remembered. Host views this process
    /// held for them from an earlier ownership are dropped: someone else may have written them since.
    /// </summary>
    public Task OnPartitionsAssignedAsync(IReadOnlyList<TopicPartitionRef> partitions)
    {
        var numbers = partitions.Select(p => p.Partition).ToArray();
        store.Views.Drop(numbers);
        return outbox.TakeOverAsync(numbers, store.AlertCheckpoints, CancellationToken.None);
    }

    /// <summary>The next owner reads these partitions' host views from Redis, where every batch already wrote them.</summary>
    public Task OnPartitionsRevokedAsync(IReadOnlyList<TopicPartitionRef> partitions)
    {
        store.Views.Drop(partitions.Select(p => p.Partition).ToArray());
        return Task.CompletedTask;
    }

    /// <summary>Lost partitions may already have a new owner: their views leave memory, Redis keeps them for it.</summary>
    public Task OnPartitionsLostAsync(IReadOnlyList<TopicPartitionRef> partitions) => OnPartitionsRevokedAsync(partitions);

    /// <summary>
    /// Sorts each event (<see cref="EventUses"/>) on the consume thread right after it was decoded: a batch later, on the
    /// handler's thread, the first read of each event's kind waited for memory. Reads only the event.
    /// </summary>
    public ulong Prepare(TelemetryEvent value) => EventUses.Note(EventUses.Of(value));

    public async Task HandleAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, CancellationToken cancellationToken)
    {
        // The consume loop hands over one batch at a time, so one set of per-batch collections serves them all; a call
        // that overlaps another (the loop makes none) gets a set of its own.
        var scratch = Interlocked.Exchange(ref idle, null) ?? new BatchScratch();
        try
        {
            await HandleAsync(batch, scratch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            scratch.Clear();
            idle = scratch;
        }
    }

    private async Task HandleAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, BatchScratch scratch, CancellationToken cancellationToken)
    {
        // The per-event loops live in methods of their own, outside this state machine: the JIT optimizes an async
        // method with a stackalloc (as this one had) at once, without the tiering whose profile-guided pass
        // devirtualizes and lays out the per-event path, so the loops ran without it.
        var observations = scratch.Observations;
        Observe(batch, observations);
        metrics.ChainCacheEntries.Set(chains.Count);
        if (observations.Count == 0)
        {
            return;
        }

        if (generation is not null)
        {
            await generation.CheckAsync().ConfigureAwait(false);
            store.Views.KeepGeneration(generation.Current);
            store.Profiles.KeepGeneration(generation.Current);
        }

        var (images, hosts) = GroupByView(scratch);
        var state = await store.LoadAsync(images, hosts, scratch.Profiles, scratch.Views).ConfigureAwait(false);
        try
        {
            await EvaluateAndCommitAsync(batch, observations, state, scratch, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The detector advances the views in place: views held in memory are now ahead of Redis, so the retry
            // (or the next batch) reads them from Redis again.
            store.Views.Forget(hosts.Select(h => (h.Image.Tag, h.HostId)));
            throw;
        }
    }

    /// <summary>
    /// Sorts a batch's events (by the note <see cref="Prepare"/> left, or here when a record has none): process starts feed
    /// the chain cache, network events become <paramref name="observations"/>, the rest is skipped. Counted per batch: a
    /// labelled series' lookup per event costs more than the rest of a skipped event.
    /// </summary>
    private void Observe(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, List<NetworkObservation> observations)
    {
        int connections = 0, lookups = 0, completions = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            PrefetchAhead(batch, i);
            var record = batch[i];
            if (!EventUses.TryRead(record.Preparation, out var use))
            {
                use = EventUses.Of(record.Value);
            }

            if (use == EventUse.ProcessStart)
            {
                chains.Remember(record.Value);
                continue;
            }

            if (use != EventUse.Skipped && NetworkObservation.TryFrom(record, use, out var observation))
            {
                observations.Add(observation);
                switch (observation.Kind)
                {
                    case ObservationKind.Connection:
                        connections++;
                        break;
                    case ObservationKind.Lookup:
                        lookups++;
                        break;
                    default:
                        completions++;
                        break;
                }
            }
        }

        Count(ObservationKind.Connection, connections);
        Count(ObservationKind.Lookup, lookups);
        Count(ObservationKind.Completion, completions);
    }

    // How many records ahead Observe starts loading a record, then its event, then the event's sub-messages: each stage
    // reads a reference the stage before loaded, so none of them waits for memory itself.
    private const int RecordDistance = 8;
    private const int EventDistance = 4;
    private const int PartsDistance = 2;

    /// <summary>
    /// Starts loading what <see cref="Observe"/> reads of the records a few places ahead (<see cref="CachePrefetch"/>):
    /// the record; once it has arrived, the event of a record its note says is used; once that has, the sub-messages the
    /// event's observation or chain entry reads. Records without a note (the consume thread did not prepare them) are
    /// left alone: reading their event to sort it is the first touch anyway.
    /// </summary>
    private static void PrefetchAhead(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, int i)
    {
        if (i + RecordDistance < batch.Count)
        {
            CachePrefetch.Object(batch[i + RecordDistance]);
        }

        if (i + EventDistance < batch.Count && Used(batch[i + EventDistance], out _) is { } e)
        {
            CachePrefetch.Object(e, 2);
        }

        if (i + PartsDistance < batch.Count && Used(batch[i + PartsDistance], out var use) is { } parts)
        {
            CachePrefetch.Object(parts.Process, 2);
            CachePrefetch.Object(parts.Host);
            if (use != EventUse.ProcessStart)
            {
                CachePrefetch.Object(parts.Network);
                CachePrefetch.Object(parts.Destination);
                CachePrefetch.Object(parts.Source);
            }
        }
    }

    private static TelemetryEvent? Used(ConsumedRecord<TelemetryEvent> record, out EventUse use) =>
        EventUses.TryRead(record.Preparation, out use) && use != EventUse.Skipped ? record.Value : null;

    private void Count(ObservationKind kind, int count)
    {
        if (count > 0)
        {
            metrics.Observations.WithLabels(KindLabel(kind)).Inc(count);
        }
    }

    /// <summary>
    /// The images and (image, host) views the batch touches, each once, in order of first sight. Each observation's
    /// (image, host) group is noted as it is found, for the detector to group the batch by.
    /// </summary>
    private static (List<ProcessImage> Images, List<(ProcessImage Image, string HostId)> Hosts) GroupByView(BatchScratch scratch)
    {
        var images = scratch.Images;
        var hosts = scratch.Hosts;
        var groupOf = scratch.GroupOf;
        foreach (var observation in CollectionsMarshal.AsSpan(scratch.Observations))
        {
            if (scratch.SeenImages.Add(observation.Image.Tag))
            {
                images.Add(observation.Image);
            }

            ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(scratch.SeenHosts, (observation.Image.Tag, observation.HostId), out var seen);
            if (!seen)
            {
                group = hosts.Count;
                hosts.Add((observation.Image, observation.HostId));
            }

            groupOf.Add(group);
        }

        return (images, hosts);
    }

    private async Task EvaluateAndCommitAsync(
        IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, List<NetworkObservation> observations, BatchState state, BatchScratch scratch, CancellationToken cancellationToken)
    {
        var partitions = scratch.Partitions;
        var evaluation = detector.Evaluate(observations, state.Profiles, state.Hosts, scratch.Detector, scratch.GroupOf, scratch.Hosts);

        // Published before learning: a crash in between replays the batch, which re-derives the same alert ids; the
        // outbox drops those a previous owner already published (recovered at assignment from the checkpoints).
        var candidates = evaluation.Detections.Select(d => d.Alert).ToList();
        var published = await outbox.PublishOnceAsync(candidates, cancellationToken).ConfigureAwait(false);
        metrics.AlertsRecovered.Inc(candidates.Count - published.Count);
        foreach (var alert in published)
        {
            metrics.AlertsPublished.WithLabels(BaselineRules.AnalyticId.ToLowerInvariant(), alert.Rule.Id, alert.Rule.Name).Inc();
            logger.LogInformation("Alert {AlertId} {Rule} on host {Host}: {Reason}", alert.Id, alert.Rule.Id, alert.Host.Id, alert.Reason);
        }

        foreach (var record in batch)
        {
            partitions.Add(record.Partition);
        }

        var committed = await store.CommitAsync(evaluation, state.Profiles, partitions, outbox.Checkpoint()).ConfigureAwait(false);
        metrics.ReplayedObservations.Inc(evaluation.Replayed);
        metrics.UntrainedObservations.Inc(evaluation.Untrained);
        metrics.AlertsSuppressed.Inc(evaluation.Suppressed);
        metrics.Maturations.Inc(committed.Matured);
        if (committed.Conflicts > 0)
        {
            // Another writer moved some host views on; the retry re-reads them and skips what they already hold.
            metrics.WriteConflicts.Inc(committed.Conflicts);
            throw new BaselineWriteConflictException(committed.Conflicts);
        }
    }

    private static string KindLabel(ObservationKind kind) => kind switch
    {
        ObservationKind.Connection => "connection",
        ObservationKind.Lookup => "lookup",
        _ => "completion",
    };

    /// <summary>
    /// A batch's working collections, emptied after each batch and reused by the next. Those that grew for a huge batch
    /// (a backlog's, up to the consume loop's backlog limit) are cut back to <see cref="KeptCapacity"/> entries, so one
    /// burst does not pin its tables for the life of the process.
    /// </summary>
    private sealed class BatchScratch
    {
        /// <summary>More than a default backlog batch (5 × 1,000 records) holds, so catching up does not shrink and regrow them each batch.</summary>
        private const int KeptCapacity = 16_384;

        public DetectorScratch Detector { get; } = new();

        public Dictionary<string, ProfileSnapshot> Profiles { get; } = new(StringComparer.Ordinal);

        public Dictionary<(string Tag, string HostId), HostImageState> Views { get; } = [];

        public List<NetworkObservation> Observations { get; } = [];

        public List<ProcessImage> Images { get; } = [];

        public List<(ProcessImage Image, string HostId)> Hosts { get; } = [];

        public HashSet<string> SeenImages { get; } = new(StringComparer.Ordinal);

        /// <summary>The batch's (image, host) groups: each one's index in <see cref="Hosts"/>.</summary>
        public Dictionary<(string Tag, string HostId), int> SeenHosts { get; } = [];

        /// <summary>Each observation's index in <see cref="Hosts"/>.</summary>
        public List<int> GroupOf { get; } = [];

        public HashSet<int> Partitions { get; } = [];

        public void Clear()
        {
            var large = Observations.Count > KeptCapacity || Hosts.Count > KeptCapacity || Profiles.Count > KeptCapacity;
            Detector.Clear();
            Detector.ForgetUpdates();
            Profiles.Clear();
            Views.Clear();
            Observations.Clear();
            GroupOf.Clear();
            Images.Clear();
            Hosts.Clear();
            SeenImages.Clear();
            SeenHosts.Clear();
            Partitions.Clear();
            if (large)
            {
                Cap(Observations);
                Cap(GroupOf);
                Cap(Hosts);
                Cap(Images);
                Profiles.TrimExcess(KeptCapacity);
                Views.TrimExcess(KeptCapacity);
                SeenHosts.TrimExcess(KeptCapacity);
                SeenImages.TrimExcess(KeptCapacity);
            }
        }

        private static void Cap<T>(List<T> list)
        {
            if (list.Capacity > KeptCapacity)
            {
                list.Capacity = KeptCapacity;
            }
        }
    }
}
