using Microsoft.Extensions.Options;
using Vigil.Adapters;
using Vigil.Contracts.Telemetry;

namespace Vigil.Agent;

/// <summary>
/// The one eslogger adapter of the agent, shared by its sources: eslogger lines go through it, and the network source
/// asks its process table which process owns a pid, so network events carry the same process.entity_id as the
/// process and file events. Guarded by a lock: the sources run on their own threads.
/// </summary>
internal sealed class AgentEventSource
{
    private readonly object gate = new();
    private readonly EsloggerAdapter adapter;
    private readonly DiskBuffer buffer;
    private readonly string hostId;
    private readonly AgentMetrics metrics;

    public AgentEventSource(IOptions<AgentOptions> options, DiskBuffer buffer, AgentMetrics metrics)
    {
        this.metrics = metrics;
        var agent = options.Value;
        hostId = agent.HostId;
        HostName = string.IsNullOrWhiteSpace(agent.HostName) ? Environment.MachineName : agent.HostName;
        this.buffer = buffer;
        adapter = new EsloggerAdapter(new EsloggerAdapterOptions
        {
            HostId = agent.HostId,
            HostName = HostName,
            ProcessesPerHost = agent.Eslogger.ProcessTableCapacity,
            MaxHosts = 1,
        });
    }

    public string HostId => hostId;

    public string HostName { get; }

    /// <summary>Maps one eslogger line and buffers its events; returns the rejections for logging.</summary>
    public IReadOnlyList<AdaptRejection> AcceptEsloggerLine(string line)
    {
        AdaptResult result;
        lock (gate)
        {
            result = adapter.Adapt(new RawRecord(System.Text.Encoding.UTF8.GetBytes(line), hostId, "eslogger"));
        }

        Buffer("eslogger", result.Events);
        foreach (var rejection in result.Rejections)
        {
            metrics.LinesRejected.WithLabels(rejection.Reason.ToString()).Inc();
        }

        return result.Rejections;
    }

    /// <summary>What the process table knows about the current process with this pid.</summary>
    public EsloggerProcessFacts? ProcessWithPid(long pid)
    {
        lock (gate)
        {
            return adapter.Processes.FindLatest(hostId, pid);
        }
    }

    public void Buffer(string source, IReadOnlyList<TelemetryEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        this.buffer.Append(events);
        metrics.EventsProduced.WithLabels(source).Inc(events.Count);
        metrics.BufferedBytes.Set(this.buffer.PendingBytes);
        metrics.BufferDroppedEvents.Set(this.buffer.DroppedEvents);
    }
}
