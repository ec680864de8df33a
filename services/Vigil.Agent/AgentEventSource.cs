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
    private readonly object _gate = new();
    private readonly EsloggerAdapter _adapter;
    private readonly DiskBuffer _buffer;
    private readonly string _hostId;

    public AgentEventSource(IOptions<AgentOptions> options, DiskBuffer buffer)
    {
        var agent = options.Value;
        _hostId = agent.HostId;
        HostName = string.IsNullOrWhiteSpace(agent.HostName) ? Environment.MachineName : agent.HostName;
        _buffer = buffer;
        _adapter = new EsloggerAdapter(new EsloggerAdapterOptions
        {
            HostId = agent.HostId,
            HostName = HostName,
            ProcessesPerHost = agent.Eslogger.ProcessTableCapacity,
            MaxHosts = 1,
        });
    }

    public string HostId => _hostId;

    public string HostName { get; }

    /// <summary>Maps one eslogger line and buffers its events; returns the rejections for logging.</summary>
    public IReadOnlyList<AdaptRejection> AcceptEsloggerLine(string line)
    {
        AdaptResult result;
        lock (_gate)
        {
            result = _adapter.Adapt(new RawRecord(System.Text.Encoding.UTF8.GetBytes(line), _hostId, "eslogger"));
        }

        Buffer("eslogger", result.Events);
        foreach (var rejection in result.Rejections)
        {
            AgentMetrics.LinesRejected.WithLabels(rejection.Reason.ToString()).Inc();
        }

        return result.Rejections;
    }

    /// <summary>What the process table knows about the current process with this pid.</summary>
    public EsloggerProcessFacts? ProcessWithPid(long pid)
    {
        lock (_gate)
        {
            return _adapter.Processes.FindLatest(_hostId, pid);
        }
    }

    public void Buffer(string source, IReadOnlyList<TelemetryEvent> events)
    {
        if (events.Count == 0)
        {
            return;
        }

        _buffer.Append(events);
        AgentMetrics.EventsProduced.WithLabels(source).Inc(events.Count);
        AgentMetrics.BufferedBytes.Set(_buffer.PendingBytes);
        AgentMetrics.BufferDroppedEvents.Set(_buffer.DroppedEvents);
    }
}
