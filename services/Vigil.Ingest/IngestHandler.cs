using System.Globalization;
using Microsoft.Extensions.Options;
using Vigil.Adapters;
using Vigil.Contracts.Telemetry;
using Vigil.Messaging;
using Vigil.Messaging.Kafka;

namespace Vigil.Ingest;

/// <summary>
/// Turns a batch of raw agent records into canonical events through each topic's adapter, publishes them keyed by
/// host.id, and dead-letters every rejected document once, with its typed reason.
/// </summary>
/// <remarks>
/// Partial rejections: a record holding several documents (a search response, NDJSON) publishes its good documents and
/// sends one dead-letter record per rejected document, whose value is that document alone (replayable as a
/// <c>_source</c> line) with headers naming its index and the record's document count. A record whose bytes are not
/// JSON at all, or a single-document record, is dead-lettered whole. The batch's offsets are stored only after the
/// events and the dead letters were acknowledged, so a crash replays rather than loses (events are then published
/// again with the same event.id; correlators publish an alert id once).
/// </remarks>
internal sealed class IngestHandler : IRecordBatchHandler<byte[]>
{
    private readonly RawSources sources;
    private readonly ITopicPublisher<TelemetryEvent> publisher;
    private readonly DeadLetterPublisher deadLetters;
    private readonly string group;
    private readonly Dictionary<(string Format, Prometheus.Counter Metric), UnmappedFieldNames> fieldNames = [];
    private readonly int maxUnmappedNames;
    private readonly IngestMetrics metrics;

    public IngestHandler(RawSources sources, ITopicPublisher<TelemetryEvent> publisher, DeadLetterPublisher deadLetters, TopicManifest manifest, IOptions<IngestOptions> options, IngestMetrics metrics)
    {
        this.metrics = metrics;
        this.sources = sources;
        this.publisher = publisher;
        this.deadLetters = deadLetters;
        group = manifest.ConsumerGroup(IngestServiceCollectionExtensions.Service).Name;
        maxUnmappedNames = options.Value.MaxUnmappedFieldNames;
        foreach (var format in sources.All.Select(s => s.Format).Distinct())
        {
            // Every series a dashboard reads exists from start-up at zero.
            metrics.DocumentsRead.WithLabels(format);
            metrics.EventsPublished.WithLabels(format);
            foreach (var reason in Enum.GetValues<RejectionReason>())
            {
                metrics.DocumentsRejected.WithLabels(format, reason.Name());
            }

            metrics.DerivedFields.WithLabels(format, "host.id from agent.id");
            foreach (var metric in new[] { metrics.UnmappedFields, metrics.DroppedFields, metrics.InvalidValues })
            {
                metric.WithLabels(format, UnmappedFieldNames.Overflow);
                fieldNames[(format, metric)] = new UnmappedFieldNames(maxUnmappedNames);
            }
        }
    }

    public async Task HandleAsync(IReadOnlyList<ConsumedRecord<byte[]>> batch, CancellationToken cancellationToken)
    {
        var events = new List<KeyValuePair<string, TelemetryEvent>>(batch.Count);
        var rejected = new List<Task>();
        var outcomes = new List<(string Format, AdaptResult Result)>(batch.Count);
        foreach (var record in batch)
        {
            var source = sources.For(record.Topic);
            var result = source.Adapter.Adapt(new RawRecord(record.Value, record.Key, $"{record.Topic}[{record.Partition}]@{record.Offset}"));
            outcomes.Add((source.Format, result));
            foreach (var e in result.Events)
            {
                events.Add(KeyValuePair.Create(e.Host.Id, e));
            }

            foreach (var rejection in result.Rejections)
            {
                rejected.Add(DeadLetterAsync(record, result.Documents, rejection, cancellationToken));
            }
        }

        await publisher.PublishBatchAsync(events, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(rejected).ConfigureAwait(false);
        // Counted once the batch is through, so a retried batch does not count twice.
        foreach (var (format, result) in outcomes)
        {
            Count(format, result);
        }
    }

    private Task DeadLetterAsync(ConsumedRecord<byte[]> record, int documents, AdaptRejection rejection, CancellationToken cancellationToken)
    {
        var alone = documents > 1 && !rejection.Document.IsEmpty;
        return deadLetters.PublishRejectedAsync(
            record,
            alone ? rejection.Document : record.Value,
            rejection.Reason.Name(),
            rejection.Detail,
            [
                KeyValuePair.Create(DeadLetterHeaders.DocumentIndex, rejection.DocumentIndex.ToString(CultureInfo.InvariantCulture)),
                KeyValuePair.Create(DeadLetterHeaders.DocumentCount, documents.ToString(CultureInfo.InvariantCulture)),
            ],
            group,
            cancellationToken);
    }

    private void Count(string format, AdaptResult result)
    {
        metrics.DocumentsRead.WithLabels(format).Inc(result.Documents);
        metrics.EventsPublished.WithLabels(format).Inc(result.Events.Count);
        foreach (var rejection in result.Rejections)
        {
            metrics.DocumentsRejected.WithLabels(format, rejection.Reason.Name()).Inc();
        }

        foreach (var (derivation, count) in result.DerivedFields)
        {
            metrics.DerivedFields.WithLabels(format, derivation).Inc(count);
        }

        CountFields(format, metrics.UnmappedFields, result.UnmappedFields);
        CountFields(format, metrics.DroppedFields, result.DroppedFields);
        CountFields(format, metrics.InvalidValues, result.InvalidValues);
    }

    private void CountFields(string format, Prometheus.Counter metric, Dictionary<string, int> counts)
    {
        var names = fieldNames[(format, metric)];
        foreach (var (field, count) in counts)
        {
            metric.WithLabels(format, names.Label(field)).Inc(count);
        }
    }
}
