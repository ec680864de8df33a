using System.Security.Cryptography;
using System.Text;
using Vigil.Adapters;
using Vigil.Contracts.Telemetry;

namespace Vigil.Agent;

/// <summary>
/// Turns successive nettop samples into Elastic Defend's network events: a socket seen for the first time is a
/// network start (connection_attempted); a socket gone from the next sample is a network end (disconnect_received)
/// with the bytes it last reported (source.bytes sent, destination.bytes received). Sockets without a remote end
/// (listeners, unconnected UDP) are no connection. A connection that opens and closes between two samples is not
/// seen: sampling trades that for a source every stock Mac has.
/// </summary>
public sealed class ConnectionTracker(string hostId, string hostName, Func<long, EsloggerProcessFacts?> processWithPid)
{
    private static readonly Dictionary<long, string> WellKnownPorts = new()
    {
        [20] = "ftp", [21] = "ftp", [22] = "ssh", [25] = "smtp", [53] = "dns", [80] = "http", [443] = "https", [8080] = "http",
    };

    private Dictionary<string, Tracked> open = new(StringComparer.Ordinal);

    /// <summary>Connections currently open, as of the last sample.</summary>
    public int OpenCount => open.Count;

    public IReadOnlyList<TelemetryEvent> Observe(IReadOnlyList<NettopConnection> sample, long now)
    {
        var events = new List<TelemetryEvent>();
        var next = new Dictionary<string, Tracked>(StringComparer.Ordinal);
        foreach (var connection in sample)
        {
            if (connection.RemoteIp is "*" or "" || connection.RemotePort == 0 || connection.State == "Listen")
            {
                continue;
            }

            if (open.Remove(connection.Key, out var known))
            {
                next[connection.Key] = known with { Last = connection };
                continue;
            }

            var tracked = new Tracked(connection, connection, now, ProcessOf(connection));
            next[connection.Key] = tracked;
            events.Add(NetworkEvent(tracked, "start", "connection_attempted", now, withBytes: false));
        }

        foreach (var closed in open.Values)
        {
            events.Add(NetworkEvent(closed, "end", "disconnect_received", now, withBytes: true));
        }

        open = next;
        return events;
    }

    private Process ProcessOf(NettopConnection connection)
    {
        var facts = processWithPid(connection.Pid);
        var process = new Process { Pid = connection.Pid, Name = connection.ProcessName };
        if (facts is null)
        {
            return process;
        }

        process.EntityId = facts.EntityId;
        process.Executable = facts.Executable;
        process.Name = Path.GetFileName(facts.Executable);
        process.WorkingDirectory = facts.WorkingDirectory;
        if (facts.Args.Count > 0)
        {
            process.Args.AddRange(facts.Args);
            process.ArgsCount = facts.Args.Count;
            process.CommandLine = string.Join(' ', facts.Args);
        }

        if (facts.CodeSignature is not null)
        {
            process.CodeSignature = facts.CodeSignature.Clone();
        }

        if (facts.ParentEntityId is not null || facts.ParentPid > 0)
        {
            process.Parent = new Process { EntityId = facts.ParentEntityId ?? "", Pid = facts.ParentPid };
            if (processWithPid(facts.ParentPid) is { } parent && parent.EntityId == facts.ParentEntityId)
            {
                process.Parent.Executable = parent.Executable;
                process.Parent.Name = Path.GetFileName(parent.Executable);
            }
        }

        return process;
    }

    private TelemetryEvent NetworkEvent(Tracked tracked, string type, string action, long now, bool withBytes)
    {
        var c = tracked.Last;
        var e = new TelemetryEvent
        {
            Timestamp = now,
            Event = new Event
            {
                Id = EventId(tracked, action),
                Kind = "event",
                Action = action,
                Module = "endpoint",
                Dataset = "endpoint.events.network",
            },
            Host = new Vigil.Contracts.Telemetry.Host { Id = hostId, Name = hostName, Hostname = hostName, Os = new Os { Type = "macos", Platform = "macos", Name = "macOS" } },
            Agent = new Vigil.Contracts.Telemetry.Agent { Type = "vigil-agent" },
            Process = tracked.Process.Clone(),
            Network = new Network
            {
                Transport = c.Transport,
                Type = c.IpVersion,
                Direction = "egress",
                // Named from the remote port: nettop does not inspect payloads.
                Protocol = WellKnownPorts.GetValueOrDefault(c.RemotePort, ""),
            },
            Source = new Vigil.Contracts.Telemetry.Endpoint { Ip = c.LocalIp, Port = c.LocalPort },
            Destination = new Vigil.Contracts.Telemetry.Endpoint { Ip = c.RemoteIp, Port = c.RemotePort },
        };
        e.Event.Category.Add("network");
        e.Event.Type.Add(type);
        if (withBytes)
        {
            e.Source.Bytes = c.BytesOut;
            e.Destination.Bytes = c.BytesIn;
            e.Network.Bytes = c.BytesIn + c.BytesOut;
        }

        return e;
    }

    private string EventId(Tracked tracked, string action)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{hostId}\n{tracked.First.Key}\n{tracked.FirstSeen}\n{action}"), hash);
        return Convert.ToBase64String(hash[..15]);
    }

    private sealed record Tracked(NettopConnection First, NettopConnection Last, long FirstSeen, Process Process);
}
