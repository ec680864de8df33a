using Prometheus;

namespace Vigil.Agent;

/// <summary>Prometheus metrics of vigil-agent (GET /metrics on its local port).</summary>
public sealed class AgentMetrics(IMetricFactory factory)
{
    public Counter EventsProduced { get; } = factory.CreateCounter(
        "vigil_agent_events_total", "Events the agent's sources produced and buffered.", ["source"]);

    public Counter EventsPublished { get; } = factory.CreateCounter(
        "vigil_agent_events_published_total", "Buffered events Kafka acknowledged.");

    public Counter LinesRejected { get; } = factory.CreateCounter(
        "vigil_agent_lines_rejected_total", "eslogger lines the adapter could not map, by reason.", ["reason"]);

    public Counter SourceRestarts { get; } = factory.CreateCounter(
        "vigil_agent_source_restarts_total", "Times a source executable exited or failed and was started again.", ["source"]);

    public Gauge BufferedBytes { get; } = factory.CreateGauge(
        "vigil_agent_buffer_bytes", "Bytes waiting in the disk buffer.");

    public Gauge BufferDroppedEvents { get; } = factory.CreateGauge(
        "vigil_agent_buffer_dropped_events", "Events deleted unpublished because the disk buffer was full.");
}
