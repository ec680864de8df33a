namespace Vigil.Cli;

/// <summary>How tail commands print: one line per record, its id only, or a rolling per-second summary.</summary>
public enum TailFormat
{
    Events,
    Ids,
    Summary,
}
