using Vigil.Contracts.Telemetry;

namespace Vigil.Adapters;

/// <summary>
/// What the adapter learned about one process from its exec (or fork) event and repeats on every later event about
/// it: Endpoint Security sends a process's arguments and working directory only with its exec.
/// </summary>
public sealed record EsloggerProcessFacts(
    string EntityId,
    long Pid,
    long PidVersion,
    string Executable,
    IReadOnlyList<string> Args,
    string WorkingDirectory,
    long Start,
    string? ParentEntityId,
    long ParentPid,
    CodeSignature? CodeSignature);
