using Prometheus;

namespace Vigil.Agent;

/// <summary>Prometheus metrics of vigil-agent (GET /metrics on its local port).</summary>
internal static class AgentMetrics
{
    public static readonly Counter EventsProduced = Metrics.CreateCounter(
        "vigil_agent_events_total", "Events the agent's sources produced and buffered.", "source");

    public static readonly Counter EventsPublished = Metrics.CreateCounter(
        "vigil_agent_events_published_total", "Buffered events Kafka acknowledged.");

    public static readonly Counter LinesRejected = Metrics.CreateCounter(
        "vigil_agent_lines_rejected_total", "eslogger lines the adapter could not map, by reason.", "reason");

    public static readonly Counter SourceRestarts = Metrics.CreateCounter(
        "vigil_agent_source_restarts_total", "Times a source executable exited or failed and was started again.", "source");

    public static readonly Gauge BufferedBytes = Metrics.CreateGauge(
        "vigil_agent_buffer_bytes", "Bytes waiting in the disk buffer.");

    public static readonly Gauge BufferDroppedEvents = Metrics.CreateGauge(
        "vigil_agent_buffer_dropped_events", "Events deleted unpublished because the disk buffer was full.");
}
