using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Vigil.Baseline.Alerts;
using Vigil.Baseline.Identity;

namespace Vigil.Baseline.Learning;

/// <summary>
/// Compares a batch's network observations with the profiles and host views read for it, event by event in each
/// host's order, and decides what to alert and what to learn. Pure: no I/O, so a batch evaluated twice from the
/// same state gives the same alerts and updates.
/// <list type="bullet">
/// <item>Mature profiles only alert: a protocol signature the image never used (unless the image is at its protocol
/// cap), or a host's per-bucket volume beyond k standard deviations (log space, above the floor) in k of the last n
/// buckets, or beyond the extreme threshold in one.</item>
/// <item>What alerted or was anomalous does not train the profile, so an attack cannot teach the baseline itself.</item>
/// <item>Observations the host view's watermark already covers are skipped: learning is idempotent under replay.</item>
/// </list>
/// Process chains are rebuilt from the chain cache only for events that alert.
/// </summary>
public sealed class BaselineDetector(BaselineOptions options, BaselineAlertBuilder alerts, ProcessChainCache chains, TimeProvider clock)
{
    private const long NanosPerTick = 100;

    public BatchEvaluation Evaluate(
        IReadOnlyList<NetworkObservation> batch,
        IReadOnlyDictionary<string, ProfileSnapshot> profiles,
        IReadOnlyDictionary<(string Tag, string HostId), HostImageState> hosts) =>
        Evaluate(batch, profiles, hosts, new DetectorScratch());

    /// <summary>
    /// As <see cref="Evaluate(IReadOnlyList{NetworkObservation}, IReadOnlyDictionary{string, ProfileSnapshot}, IReadOnlyDictionary{ValueTuple{string, string}, HostImageState})"/>,
    /// with the batch's working collections taken from <paramref name="scratch"/> (the handler reuses one across
    /// batches): the grouping of a batch of ~200 views made anew each batch was a good part of what a batch allocated.
    /// The result's updates are the scratch's: valid until its <see cref="DetectorScratch.ForgetUpdates"/> or the next
    /// evaluation with it.
    /// </summary>
    internal BatchEvaluation Evaluate(
        IReadOnlyList<NetworkObservation> batch,
        IReadOnlyDictionary<string, ProfileSnapshot> profiles,
        IReadOnlyDictionary<(string Tag, string HostId), HostImageState> hosts,
        DetectorScratch scratch) =>
        Evaluate(batch, profiles, hosts, scratch, null, null);

    /// <summary>
    /// As <see cref="Evaluate(IReadOnlyList{NetworkObservation}, IReadOnlyDictionary{string, ProfileSnapshot}, IReadOnlyDictionary{ValueTuple{string, string}, HostImageState}, DetectorScratch)"/>,
    /// with the batch's (image, host) groups already known: <paramref name="groupKeys"/> in order of first sight and
    /// <paramref name="groupOf"/>, each observation's index in it (the handler finds them when it lists the views to
    /// read, so the batch's keys are not hashed a second time here). Null: the detector groups the batch itself.
    /// </summary>
    internal BatchEvaluation Evaluate(
        IReadOnlyList<NetworkObservation> batch,
        IReadOnlyDictionary<string, ProfileSnapshot> profiles,
        IReadOnlyDictionary<(string Tag, string HostId), HostImageState> hosts,
        DetectorScratch scratch,
        IReadOnlyList<int>? groupOf,
        IReadOnlyList<(ProcessImage Image, string HostId)>? groupKeys)
    {
        if ((groupOf is null) != (groupKeys is null) || (groupOf is not null && groupOf.Count != batch.Count))
        {
            throw new ArgumentException("The groups of a batch come with one group index per observation.", nameof(groupOf));
        }

        var latestAllowed = (clock.GetUtcNow() + options.MaxClockSkew).ToUnixTimeMilliseconds() * 1_000_000;
        scratch.Clear();
        scratch.BeginBatch();
        var updates = scratch.Updates;
        var detections = new List<BaselineDetection>();
        var counts = new Counts();

        // One contribution per image, shared by its hosts' runs: what the batch adds to the profile is their sum, and
        // summing as the runs go costs no contribution (dictionary, set) per host. Each run keeps its volume statistics
        // apart and merges them when it ends, in the order the hosts come, as adding per-host contributions did, so
        // the doubles are the same.
        var contributions = scratch.Contributions;

        // The (image, host) groups in order of first sight, each group's observations in batch order (what GroupBy
        // gave), by a counting sort of the batch's positions into one rented array: no grouping object, element
        // array or run object per host.
        var groups = scratch.Groups;
        var keys = scratch.GroupKeys;
        var positions = ArrayPool<int>.Shared.Rent(batch.Count);
        var order = ArrayPool<int>.Shared.Rent(batch.Count);
        var ends = ArrayPool<int>.Shared.Rent(Math.Max(batch.Count, groupKeys?.Count ?? 0) + 1);
        var next = ArrayPool<int>.Shared.Rent(Math.Max(batch.Count, groupKeys?.Count ?? 0) + 1);
        try
        {
            if (groupOf is not null)
            {
                for (var g = 0; g < groupKeys!.Count; g++)
                {
                    keys.Add((groupKeys[g].Image.Tag, groupKeys[g].HostId));
                    ends[g] = 0;
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    positions[i] = groupOf[i];
                    ends[groupOf[i]]++;
                }
            }

            for (var i = 0; groupOf is null && i < batch.Count; i++)
            {
                var key = (batch[i].Image.Tag, batch[i].HostId);
                ref var g = ref CollectionsMarshal.GetValueRefOrAddDefault(groups, key, out var known);
                if (!known)
                {
                    g = keys.Count;
                    keys.Add(key);
                    ends[g] = 0;
                }

                positions[i] = g;
                ends[g]++;
            }

            // Counts → where each group ends; filling from the back keeps each group's observations in batch order.
            var groupCount = keys.Count;
            for (var g = 1; g < groupCount; g++)
            {
                ends[g] += ends[g - 1];
            }

            Array.Copy(ends, next, groupCount);
            for (var i = batch.Count - 1; i >= 0; i--)
            {
                order[--next[positions[i]]] = i;
            }

            updates.EnsureCapacity(groupCount);
            var run = new HostRun(options, alerts, chains, detections, counts);
            for (var g = 0; g < groupCount; g++)
            {
                var start = g == 0 ? 0 : ends[g - 1];
                EvaluateGroup(batch, order.AsSpan(start, ends[g] - start), keys[g], run);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(positions);
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<int>.Shared.Return(ends);
            ArrayPool<int>.Shared.Return(next);
            scratch.Clear();
        }

        return new BatchEvaluation(updates, detections, counts.Replayed, counts.Untrained, counts.Suppressed);

        void EvaluateGroup(IReadOnlyList<NetworkObservation> batch, ReadOnlySpan<int> members, (string Tag, string HostId) key, HostRun run)
        {
            var profile = profiles[key.Tag];
            var state = hosts[key];
            if (!contributions.TryGetValue(key.Tag, out var contribution))
            {
                contribution = new FleetContribution();
                contributions[key.Tag] = contribution;
            }

            // What Redis holds for the view as this batch read it: the write is compared-and-set against this, not
            // against whatever the view says at commit time.
            var expectedText = state.StoredText;
            var expectedMark = state.StoredMark;
            run.Start(profile, state, contribution);
            var last = Watermark.None;
            foreach (var member in members)
            {
                var observation = batch[member];
                if (state.Watermark.Covers(observation.Record))
                {
                    counts.Replayed++;
                    continue;
                }

                last = Watermark.Of(observation.Record);
                var timestamp = observation.Timestamp > 0 ? Math.Min(observation.Timestamp, latestAllowed) : observation.Record.Timestamp.ToUnixTimeMilliseconds() * 1_000_000;
                if (!run.Observe(observation, timestamp))
                {
                    counts.Untrained++;
                }
            }

            run.MergeVolumes();
            if (last.Partition < 0)
            {
                return;
            }

            state.Watermark = last;
            if (state.HasSuppressions)
            {
                // The lambda captures a local of this block: no closure per (image, host) group without suppressions.
                var lastSeen = state.LastSeen;
                foreach (var expired in state.SuppressedUntil.Where(s => s.Value <= lastSeen).Select(s => s.Key).ToList())
                {
                    state.SuppressedUntil.Remove(expired);
                }
            }

            updates.Add(scratch.RentUpdate(profile.Image, key.HostId, last, state, contribution, expectedText, expectedMark));
        }
    }

    private sealed class Counts
    {
        public int Replayed { get; set; }

        public int Untrained { get; set; }

        public int Suppressed { get; set; }
    }

    /// <summary>
    /// One host's observations of one image within a batch, in order. One object serves a batch's hosts in turn,
    /// each from <see cref="Start"/>.
    /// </summary>
    private sealed class HostRun(
        BaselineOptions options,
        BaselineAlertBuilder alerts,
        ProcessChainCache chains,
        List<BaselineDetection> detections,
        Counts counts)
    {
        private ProfileSnapshot profile = null!;
        private HostImageState state = null!;
        private FleetContribution contribution = null!;
        private bool mature;

        // The run's anomalous connections, evidence of its volume alert; made on the first (an alert keeps the list).
        private List<NetworkObservation>? anomalousInHand;

        // This host's volume statistics, merged into the image's contribution when the run ends.
        private LogVolumeStatistics sentPerConnection;
        private LogVolumeStatistics receivedPerConnection;
        private LogVolumeStatistics sentPerBucket;
        private LogVolumeStatistics receivedPerBucket;

        /// <summary>Begins the run of <paramref name="state"/>'s host on <paramref name="profile"/>'s image, from nothing.</summary>
        public void Start(ProfileSnapshot profile, HostImageState state, FleetContribution contribution)
        {
            this.profile = profile;
            this.state = state;
            this.contribution = contribution;
            mature = profile.IsMature(options);
            anomalousInHand = null;
            sentPerConnection = default;
            receivedPerConnection = default;
            sentPerBucket = default;
            receivedPerBucket = default;
        }

        /// <summary>Adds this host's volume statistics to the image's contribution (once, when the run ends).</summary>
        public void MergeVolumes()
        {
            contribution.SentPerConnection = contribution.SentPerConnection.Merge(sentPerConnection);
            contribution.ReceivedPerConnection = contribution.ReceivedPerConnection.Merge(receivedPerConnection);
            contribution.SentPerBucket = contribution.SentPerBucket.Merge(sentPerBucket);
            contribution.ReceivedPerBucket = contribution.ReceivedPerBucket.Merge(receivedPerBucket);
        }

        /// <summary>Applies one observation; false when it must not train the profile.</summary>
        public bool Observe(in NetworkObservation observation, long timestamp)
        {
            state.FirstSeen = state.FirstSeen == 0 ? timestamp : Math.Min(state.FirstSeen, timestamp);
            state.LastSeen = Math.Max(state.LastSeen, timestamp);
            contribution.Sighted(timestamp);

            var trains = CheckProtocol(observation, timestamp);
            if (observation.Kind != ObservationKind.Completion)
            {
                var signature = observation.SignatureText;
                state.Observations++;
                // One lookup for a protocol the view knows (nearly every observation).
                ref var seen = ref CollectionsMarshal.GetValueRefOrNullRef(state.Protocols, signature);
                if (!Unsafe.IsNullRef(ref seen))
                {
                    seen++;
                }
                else if (state.Protocols.Count < options.MaxProtocolsPerHost)
                {
                    state.Protocols[signature] = 1;
                }

                if (trains)
                {
                    contribution.Observations++;
                    contribution.AddProtocol(observation.SignatureText, timestamp);
                    if (observation.Destination.Length > 0)
                    {
                        contribution.Destinations.Add(observation.Destination);
                    }
                }
            }

            if (observation.HasVolume)
            {
                trains &= ObserveVolume(observation, timestamp, trains);
            }

            return trains;
        }

        private bool CheckProtocol(in NetworkObservation observation, long timestamp)
        {
            var signature = observation.SignatureText;
            if (!mature || profile.Protocols.ContainsKey(signature) || profile.IsSaturated(options))
            {
                return true;
            }

            if (state.HasSuppressions && state.SuppressedUntil.TryGetValue(signature, out var until) && timestamp < until)
            {
                counts.Suppressed++;
                return false;
            }

            detections.Add(alerts.NewProtocol(observation, ChainOf(observation), profile, state));
            if (state.SuppressedUntil.Count >= options.MaxProtocolsPerHost)
            {
                // Bounded like the host's protocols: the suppression closest to its end goes first.
                state.SuppressedUntil.Remove(state.SuppressedUntil.MinBy(s => s.Value).Key);
            }

            state.SuppressedUntil[signature] = timestamp + (options.AlertSuppression.Ticks * NanosPerTick);
            contribution.Alerts++;
            return false;
        }

        /// <summary>Adds a completed connection's bytes to its bucket; false when the connection or the bucket is anomalous.</summary>
        private bool ObserveVolume(in NetworkObservation observation, long timestamp, bool protocolTrains)
        {
            var bucket = timestamp / (options.BucketWidth.Ticks * NanosPerTick);
            if (state.Bucket is not { } current)
            {
                state.Bucket = bucket;
            }
            else if (bucket > current)
            {
                CloseBucket();
                state.History = state.History.Advance(bucket - current);
                state.Bucket = bucket;
                if (state.HasBucketEvidence)
                {
                    // Only when there is evidence: enumerating a sorted dictionary allocates even when it is empty. The
                    // lambdas capture locals of their own blocks, so the method allocates no closure per observation.
                    var oldest = bucket - options.PersistenceWindow;
                    foreach (var old in state.BucketEvidence.Keys.Where(b => b <= oldest).ToList())
                    {
                        state.BucketEvidence.Remove(old);
                    }
                }

                if (state.History.AnomalousCount == 0)
                {
                    state.VolumeAlerted = false;
                }
            }

            // A late event of an earlier bucket counts in the current one: closed buckets are already learned.
            state.BucketSent += observation.BytesSent;
            state.BucketReceived += observation.BytesReceived;

            var connectionAnomalous = mature
                && (Exceeds(profile.SentPerConnection, observation.BytesSent, options.VolumeSigma)
                    || Exceeds(profile.ReceivedPerConnection, observation.BytesReceived, options.VolumeSigma));
            if (!connectionAnomalous && protocolTrains)
            {
                contribution.Connections++;
                sentPerConnection = sentPerConnection.Add(observation.BytesSent);
                receivedPerConnection = receivedPerConnection.Add(observation.BytesReceived);
            }

            var finding = mature ? BucketFinding(observation) : null;
            if (finding is null)
            {
                return !connectionAnomalous;
            }

            (anomalousInHand ??= []).Add(observation);
            if (!state.History.CurrentAnomalous)
            {
                state.History = state.History.MarkCurrentAnomalous();
                state.BucketEvidence[bucket] = observation.EventId;
            }

            if (!state.VolumeAlerted && (finding.Extreme || state.History.AnomalousCount >= options.PersistenceBuckets))
            {
                var alerting = bucket;
                var earlier = state.HasBucketEvidence ? state.BucketEvidence.Where(e => e.Key < alerting).Select(e => e.Value).ToList() : [];
                detections.Add(alerts.Volume(observation, ChainOf(observation), profile, state, finding, earlier, anomalousInHand));
                state.VolumeAlerted = true;
                contribution.Alerts++;
            }

            return false;
        }

        /// <summary>
        /// The chain of an event that alerts. Made whole first: the baseline decodes only what it reads for learning,
        /// and the chain and the alert read the rest (names of the effective parent, the host's name...).
        /// </summary>
        private ProcessChain ChainOf(in NetworkObservation observation)
        {
            observation.Event.Complete();
            return ProcessChain.Of(observation.Event, chains);
        }

        /// <summary>Learns the bucket that just ended, unless it was anomalous.</summary>
        private void CloseBucket()
        {
            if (!state.History.CurrentAnomalous && (state.BucketSent > 0 || state.BucketReceived > 0))
            {
                sentPerBucket = sentPerBucket.Add(state.BucketSent);
                receivedPerBucket = receivedPerBucket.Add(state.BucketReceived);
            }

            state.BucketSent = 0;
            state.BucketReceived = 0;
        }

        /// <summary>The more anomalous direction of the current bucket, or null when neither is.</summary>
        private VolumeFinding? BucketFinding(in NetworkObservation observation)
        {
            VolumeFinding? Direction(string name, LogVolumeStatistics bucket, long bucketBytes, LogVolumeStatistics connection, long connectionBytes) =>
                Exceeds(bucket, bucketBytes, options.VolumeSigma)
                    ? new VolumeFinding(name, bucketBytes, bucket.ZScore(bucketBytes, options.MinLogStdDev, options.MaxLogStdDev), bucket, connectionBytes, connection,
                        options.ExtremeVolumeSigma > 0 && Exceeds(bucket, bucketBytes, options.ExtremeVolumeSigma))
                    : null;

            var sent = Direction("sent", profile.SentPerBucket, state.BucketSent, profile.SentPerConnection, observation.BytesSent);
            var received = Direction("received", profile.ReceivedPerBucket, state.BucketReceived, profile.ReceivedPerConnection, observation.BytesReceived);
            return sent is null ? received : received is null || sent.ZScore >= received.ZScore ? sent : received;
        }

        private bool Exceeds(LogVolumeStatistics statistics, long bytes, double sigma) =>
            statistics.Count >= options.MinVolumeSamples
            && bytes > options.VolumeFloorBytes
            && statistics.ZScore(bytes, options.MinLogStdDev, options.MaxLogStdDev) > sigma;
    }
}
