using Microsoft.Extensions.Logging;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;

namespace Vigil.Baseline;

/// <summary>
/// Learns and checks profiles from consumed telemetry. Per batch: process events only feed the in-memory chain
/// cache and other non-network events are skipped, so a batch without network events costs no Redis round trip;
/// otherwise one pipelined read fetches the touched profiles and host views, the detector decides, alerts are
/// published and acknowledged, and one pipelined write applies the updates. Only then does the consume loop store
/// the batch's offsets (at-least-once). The host views' watermarks make the write idempotent, so a replay after a
/// crash counts nothing twice and re-derives the same alert ids.
/// </summary>
public sealed class BaselineHandler(
    BaselineDetector detector,
    BaselineStore store,
    ProcessChainCache chains,
    ITopicPublisher<Alert> publisher,
    ILogger<BaselineHandler> logger) : IRecordBatchHandler<TelemetryEvent>
{
    public async Task HandleAsync(IReadOnlyList<ConsumedRecord<TelemetryEvent>> batch, CancellationToken cancellationToken)
    {
        var observations = new List<NetworkObservation>();
        foreach (var record in batch)
        {
            var e = record.Value;
            if (e.Event?.Category.Contains("process") == true && e.Event.Type.Contains("start"))
            {
                chains.Remember(e);
                continue;
            }

            if (NetworkObservation.From(record) is { } observation)
            {
                observations.Add(observation);
                BaselineMetrics.Observations.WithLabels(KindLabel(observation.Kind)).Inc();
            }
        }

        BaselineMetrics.ChainCacheEntries.Set(chains.Count);
        if (observations.Count == 0)
        {
            return;
        }

        var images = observations.Select(o => o.Image).DistinctBy(i => i.Tag).ToList();
        var hosts = observations.Select(o => (o.Image, o.HostId)).DistinctBy(h => (h.Image.Tag, h.HostId)).ToList();
        var state = await store.LoadAsync(images, hosts).ConfigureAwait(false);
        var evaluation = detector.Evaluate(observations, state.Profiles, state.Hosts);

        // Published before learning: a crash in between replays the batch, which re-derives the same alert ids.
        await publisher.PublishBatchAsync(
            evaluation.Detections.Select(d => KeyValuePair.Create(d.Alert.Host.Id, d.Alert)).ToList(), cancellationToken).ConfigureAwait(false);
        foreach (var detection in evaluation.Detections)
        {
            BaselineMetrics.AlertsPublished.WithLabels(BaselineRules.AnalyticId.ToLowerInvariant(), detection.Alert.Rule.Id).Inc();
            logger.LogInformation("Alert {AlertId} {Rule} on host {Host}: {Reason}", detection.Alert.Id, detection.Alert.Rule.Id, detection.Alert.Host.Id, detection.Alert.Reason);
        }

        var committed = await store.CommitAsync(evaluation, state.Profiles).ConfigureAwait(false);
        BaselineMetrics.ReplayedObservations.Inc(evaluation.Replayed);
        BaselineMetrics.UntrainedObservations.Inc(evaluation.Untrained);
        BaselineMetrics.AlertsSuppressed.Inc(evaluation.Suppressed);
        BaselineMetrics.Maturations.Inc(committed.Matured);
        if (committed.Conflicts > 0)
        {
            // Another writer moved some host views on; the retry re-reads them and skips what they already hold.
            BaselineMetrics.WriteConflicts.Inc(committed.Conflicts);
            throw new BaselineWriteConflictException(committed.Conflicts);
        }
    }

    private static string KindLabel(ObservationKind kind) => kind switch
    {
        ObservationKind.Connection => "connection",
        ObservationKind.Lookup => "lookup",
        _ => "completion",
    };
}
