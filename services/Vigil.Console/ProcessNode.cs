namespace Vigil.Console;

/// <summary>A process in an alert's tree: its identity as the evidence gives it, its children and what it did in the evidence.</summary>
public sealed class ProcessNode(string key)
{
    public string Key { get; } = key;

    public string EntityId { get; set; } = string.Empty;

    public long Pid { get; set; }

    public string Name { get; set; } = string.Empty;

    public string Executable { get; set; } = string.Empty;

    public string CommandLine { get; set; } = string.Empty;

    public string? User { get; set; }

    /// <summary>Process start (ns since the epoch), 0 when the evidence does not say.</summary>
    public long Start { get; set; }

    public ProcessNode? Parent { get; set; }

    public List<ProcessNode> Children { get; } = [];

    /// <summary>Evidence events of this process, in time order.</summary>
    public List<ProcessActivity> Activities { get; } = [];

    public string Label => Name.Length > 0 ? Name : Executable.Length > 0 ? Path.GetFileName(Executable) : EntityId;
}
