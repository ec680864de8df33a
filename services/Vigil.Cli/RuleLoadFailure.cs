namespace Vigil.Cli;

/// <summary>One problem that kept a rule (or a file it references) from loading, where it is and what was expected.</summary>
/// <param name="Location">file:line:column, as an editor or CI annotation reads it.</param>
public sealed record RuleLoadFailure(string Location, string File, int Line, int Column, string Message);
