namespace Vigil.Console;

/// <summary>One criterion of a [vigil] exception entry (a TOML key and its values) and whether this alert's evidence satisfies it.</summary>
public sealed record ExceptionCriterion(string Key, IReadOnlyList<string> Values, bool Holds);
