using System.Globalization;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;

namespace Vigil.Console;

/// <summary>
/// The processes behind an alert, parent → child, rebuilt from its evidence: every evidence event names its process
/// (process.entity_id) and that process's ancestors (process.parent, and further parents where the agent nests them), so
/// the tree links them by entity id (pid and name where an agent gives no entity id).
/// </summary>
public sealed class ProcessTree
{
    private readonly Dictionary<string, ProcessNode> nodes = new(StringComparer.Ordinal);

    private ProcessTree()
    {
    }

    /// <summary>Processes no evidence names a parent of, in order of first appearance.</summary>
    public List<ProcessNode> Roots { get; } = [];

    public IReadOnlyCollection<ProcessNode> Nodes => nodes.Values;

    /// <summary>Time of the first evidence event (ns), the origin of the timeline's offsets.</summary>
    public long Origin { get; private set; }

    public static ProcessTree Build(Alert alert)
    {
        var tree = new ProcessTree();
        var evidence = alert.Evidence.Where(e => e.Event is not null).OrderBy(e => e.Event.Timestamp).ThenBy(e => e.Step).ToList();
        tree.Origin = evidence.Count > 0 ? evidence[0].Event.Timestamp : 0;
        foreach (var item in evidence)
        {
            if (item.Event.Process is not { } process)
            {
                continue;
            }

            var node = tree.Chain(process);
            node.Activities.Add(Describe(item));
            node.User ??= item.Event.User?.Name is { Length: > 0 } user ? user : null;
        }

        tree.Roots.AddRange(tree.nodes.Values.Where(n => n.Parent is null));
        return tree;
    }

    /// <summary>The node of <paramref name="process"/>, created with its ancestors and linked to them.</summary>
    private ProcessNode Chain(Process process)
    {
        var node = Node(process);
        if (process.Parent is { } parent && KeyOf(parent) is not null)
        {
            var parentNode = Chain(parent);
            if (node.Parent is null && !ReferenceEquals(parentNode, node) && !IsAncestor(node, parentNode))
            {
                node.Parent = parentNode;
                parentNode.Children.Add(node);
            }
        }

        return node;
    }

    private static bool IsAncestor(ProcessNode candidate, ProcessNode of)
    {
        for (var n = of; n is not null; n = n.Parent)
        {
            if (ReferenceEquals(n, candidate))
            {
                return true;
            }
        }

        return false;
    }

    private ProcessNode Node(Process process)
    {
        var key = KeyOf(process) ?? $"unknown:{nodes.Count}";
        if (!nodes.TryGetValue(key, out var node))
        {
            node = new ProcessNode(key);
            nodes[key] = node;
        }

        // Ancestors are often described more thinly than the process itself: keep the richest value seen.
        node.EntityId = Richer(node.EntityId, process.EntityId);
        node.Name = Richer(node.Name, process.Name);
        node.Executable = Richer(node.Executable, process.Executable);
        node.CommandLine = Richer(node.CommandLine, process.CommandLine.Length > 0 ? process.CommandLine : string.Join(' ', process.Args));
        node.Pid = node.Pid != 0 ? node.Pid : process.Pid;
        node.Start = node.Start != 0 ? node.Start : process.Start;
        return node;
    }

    private static string? KeyOf(Process process) =>
        process.EntityId.Length > 0 ? process.EntityId
        : process.Pid != 0 ? string.Create(CultureInfo.InvariantCulture, $"pid:{process.Pid}:{process.Name}")
        : process.Executable.Length > 0 ? $"exe:{process.Executable}"
        : null;

    private static string Richer(string current, string candidate) => candidate.Length > current.Length ? candidate : current;

    private static ProcessActivity Describe(Evidence item)
    {
        var e = item.Event;
        var kind = e.Event?.Category.FirstOrDefault() ?? "event";
        var action = e.Event?.Action is { Length: > 0 } a ? a : string.Join(",", e.Event?.Type ?? []);
        var detail = kind switch
        {
            "process" => e.Process.CommandLine.Length > 0 ? e.Process.CommandLine : e.Process.Executable,
            "file" => e.File is { } file ? file.Path + (file.TargetPath.Length > 0 ? $" → {file.TargetPath}" : string.Empty) : string.Empty,
            "network" when e.Dns?.Question?.Name is { Length: > 0 } name => $"DNS {name}" + (e.Dns.ResolvedIp.Count > 0 ? $" → {string.Join(", ", e.Dns.ResolvedIp)}" : string.Empty),
            "network" => Destination(e),
            "library" => e.Dll?.Path ?? string.Empty,
            _ => e.File?.Path ?? Destination(e),
        };
        return new ProcessActivity(e.Timestamp, item.Step, e.Event?.Id ?? string.Empty, kind, action, detail);
    }

    private static string Destination(TelemetryEvent e)
    {
        if (e.Destination is not { } d)
        {
            return string.Empty;
        }

        var where = d.Domain.Length > 0 ? $"{d.Domain} ({d.Ip})" : d.Ip;
        var port = d.Port > 0 ? string.Create(CultureInfo.InvariantCulture, $":{d.Port}") : string.Empty;
        var protocol = e.Network is { } n ? string.Join('/', new[] { n.Transport, n.Protocol }.Where(s => s.Length > 0)) : string.Empty;
        var bytes = e.Destination.Bytes > 0 || e.Source?.Bytes > 0
            ? string.Create(CultureInfo.InvariantCulture, $", {e.Source?.Bytes ?? 0} B sent, {e.Destination.Bytes} B received")
            : string.Empty;
        return $"{protocol} → {where}{port}{bytes}".Trim();
    }
}
