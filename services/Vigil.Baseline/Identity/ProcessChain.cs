using Vigil.Baseline.Learning;
using Vigil.Contracts.Telemetry;

namespace Vigil.Baseline.Identity;

/// <summary>
/// A process and its ancestors, nearest first: the parent and effective parent the event names, then whatever the
/// chain cache knows further up. Tells whether Automator or osascript drives the process (MITRE AN1227's example).
/// </summary>
public sealed class ProcessChain
{
    private const int MaxDepth = 8;

    private static readonly string[] DriverNames =
    [
        "osascript", "automator", "Automator", "Automator Application Stub", "Automator Runner",
        "com.apple.Automator.xpc.workflowServiceRunner", "Script Editor",
    ];

    private ProcessChain(IReadOnlyList<ChainLink> links) => Links = links;

    public IReadOnlyList<ChainLink> Links { get; }

    /// <summary>The nearest ancestor that is Automator or osascript, or null.</summary>
    public ChainLink? AutomationDriver => Links.Skip(1).FirstOrDefault(IsAutomation);

    public static ProcessChain Of(TelemetryEvent e, ProcessChainCache cache)
    {
        var links = new List<ChainLink>();
        if (e.Process is not { } process)
        {
            return new ProcessChain(links);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(ChainLink? link)
        {
            if (link is not null && links.Count < MaxDepth && (link.EntityId.Length == 0 || seen.Add(link.EntityId)))
            {
                links.Add(link);
            }
        }

        var self = ProcessChainCache.LinkOf(process);
        Add(self);
        Add(process.Parent is { } parent ? cache.Find(parent.EntityId) ?? ProcessChainCache.LinkOf(parent) : cache.Find(self.ParentEntityId));
        Add(process.Ext?.EffectiveParent is { } effective ? cache.Find(effective.EntityId) ?? ProcessChainCache.LinkOf(effective) : null);

        // Walk up through remembered processes, breadth first over parent and effective parent.
        for (var i = 1; i < links.Count && links.Count < MaxDepth; i++)
        {
            Add(cache.Find(links[i].ParentEntityId));
            Add(cache.Find(links[i].EffectiveParentEntityId));
        }

        return new ProcessChain(links);
    }

    public static bool IsAutomation(ChainLink link) =>
        DriverNames.Contains(link.Name, StringComparer.Ordinal)
        || link.Executable.EndsWith("/osascript", StringComparison.Ordinal)
        || link.Executable.Contains("/Automator.framework/", StringComparison.Ordinal)
        || link.Executable.Contains("/Automator.app/", StringComparison.Ordinal);

    /// <summary>curl or a Python interpreter: the tools the analytic names as what automation drives.</summary>
    public static bool IsScriptableNetworkTool(string name) =>
        name == "curl" || name.StartsWith("python", StringComparison.OrdinalIgnoreCase) || name == "Python";

    /// <summary>Automator or osascript driving curl, Python or a raw socket.</summary>
    public bool IsAutomationDriving(ProtocolSignature signature) =>
        AutomationDriver is not null && Links.Count > 0 && (IsScriptableNetworkTool(Links[0].Name) || signature.IsRawSocket);

    /// <summary>"curl ← sh ← osascript".</summary>
    public override string ToString() => string.Join(" ← ", Links.Select(l => l.Name.Length > 0 ? l.Name : l.Executable));
}
