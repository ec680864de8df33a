namespace Vigil.Console;

/// <summary>One evidence event as the process tree shows it: when, which sequence step, what kind and what it touched.</summary>
public sealed record ProcessActivity(long Timestamp, int Step, string EventId, string Kind, string Action, string Detail);
