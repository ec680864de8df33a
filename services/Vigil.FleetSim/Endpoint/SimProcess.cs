using Vigil.Contracts.Telemetry;
using Vigil.FleetSim.Fleet;

namespace Vigil.FleetSim.Endpoint;

/// <summary>A process on a simulated host, with the facts every event about it repeats (ECS process.*).</summary>
/// <param name="Start">Start time (ns since epoch); 0 for long-lived processes whose start the run did not see.</param>
/// <param name="EffectiveParent">The process that really caused this one (process.Ext.effective_parent), e.g. the app behind an XPC spawn.</param>
internal sealed record SimProcess(
    string EntityId,
    long Pid,
    ExecutableImage Image,
    IReadOnlyList<string> Args,
    string WorkingDirectory,
    SimUser User,
    long Start,
    SimProcess? Parent,
    SimProcess? EffectiveParent = null,
    bool Interactive = false)
{
    public string Name => Image.Name;

    public string Executable => Image.Path;

    // Elastic Defend on macOS joins arguments with single spaces, without quoting.
    public string CommandLine { get; } = string.Join(' ', Args);

    /// <summary>The full process.* object of an event about this process.</summary>
    public Process ToProto(long start)
    {
        var process = Summary(start);
        process.WorkingDirectory = WorkingDirectory;
        process.Interactive = Interactive;
        process.Hash = new Hash { Sha256 = Image.Sha256 };
        if (Parent is not null)
        {
            process.Parent = Parent.Summary(Parent.Start);
        }

        if (EffectiveParent is not null)
        {
            process.Ext = new ProcessExt
            {
                EffectiveParent = new Process
                {
                    EntityId = EffectiveParent.EntityId,
                    Pid = EffectiveParent.Pid,
                    Name = EffectiveParent.Name,
                    Executable = EffectiveParent.Executable,
                },
            };
        }

        return process;
    }

    // The fields ECS repeats for process.parent.
    private Process Summary(long start)
    {
        var process = new Process
        {
            EntityId = EntityId,
            Pid = Pid,
            Name = Name,
            Executable = Executable,
            ArgsCount = Args.Count,
            CommandLine = CommandLine,
            Start = start,
            CodeSignature = Image.Signature.ToProto(),
        };
        process.Args.AddRange(Args);
        return process;
    }
}
