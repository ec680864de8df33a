using Prometheus;

namespace Vigil.Ingest;

/// <summary>Prometheus metrics of the ingest service (documented in docs/ingest.md); every series exists from start-up.</summary>
public sealed class IngestMetrics(IMetricFactory factory)
{
    public Counter DocumentsRead { get; } = factory.CreateCounter(
        "vigil_ingest_documents_read_total", "Agent documents read from raw topics (a search response counts each hit).", ["format"]);

    public Counter EventsPublished { get; } = factory.CreateCounter(
        "vigil_ingest_events_published_total", "Canonical events published to the telemetry topic.", ["format"]);

    public Counter DocumentsRejected { get; } = factory.CreateCounter(
        "vigil_ingest_documents_rejected_total", "Documents dead-lettered, by typed reason (malformed, missing-host, ...).", ["format", "reason"]);

    public Counter DerivedFields { get; } = factory.CreateCounter(
        "vigil_ingest_derived_fields_total", "Events whose field was filled from another (e.g. host.id from agent.id on Elastic Endpoint 7.x).", ["format", "derivation"]);

    public Counter UnmappedFields { get; } = factory.CreateCounter(
        "vigil_ingest_unmapped_fields_total", "Source fields the contract has no place for (kept on the event's unmapped map), by name; \"_other\" past the name cap.", ["format", "field"]);

    public Counter DroppedFields { get; } = factory.CreateCounter(
        "vigil_ingest_dropped_fields_total", "Source fields not kept at all (beyond the unmapped map's bound of entries or size), by name; \"_other\" past the name cap.", ["format", "field"]);

    public Counter InvalidValues { get; } = factory.CreateCounter(
        "vigil_ingest_invalid_values_total", "Values that could not be coerced to their contract field (kept in the unmapped map instead), by field; \"_other\" past the name cap.", ["format", "field"]);
}
