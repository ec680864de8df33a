using Prometheus;

namespace Vigil.Ingest;

/// <summary>Prometheus metrics of the ingest service (documented in docs/ingest.md); every series exists from start-up.</summary>
internal static class IngestMetrics
{
    public static readonly Counter DocumentsRead = Metrics.CreateCounter(
        "vigil_ingest_documents_read_total", "Agent documents read from raw topics (a search response counts each hit).", "format");

    public static readonly Counter EventsPublished = Metrics.CreateCounter(
        "vigil_ingest_events_published_total", "Canonical events published to the telemetry topic.", "format");

    public static readonly Counter DocumentsRejected = Metrics.CreateCounter(
        "vigil_ingest_documents_rejected_total", "Documents dead-lettered, by typed reason (malformed, missing-host, ...).", "format", "reason");

    public static readonly Counter DerivedFields = Metrics.CreateCounter(
        "vigil_ingest_derived_fields_total", "Events whose field was filled from another (e.g. host.id from agent.id on Elastic Endpoint 7.x).", "format", "derivation");

    public static readonly Counter UnmappedFields = Metrics.CreateCounter(
        "vigil_ingest_unmapped_fields_total", "Source fields the contract has no place for (kept on the event's unmapped map), by name; \"_other\" past the name cap.", "format", "field");

    public static readonly Counter DroppedFields = Metrics.CreateCounter(
        "vigil_ingest_dropped_fields_total", "Source fields not kept at all (beyond the unmapped map's bound of entries or size), by name; \"_other\" past the name cap.", "format", "field");

    public static readonly Counter InvalidValues = Metrics.CreateCounter(
        "vigil_ingest_invalid_values_total", "Values that could not be coerced to their contract field (kept in the unmapped map instead), by field; \"_other\" past the name cap.", "format", "field");
}
