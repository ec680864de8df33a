namespace Vigil.Detection;

/// <summary>A rule pack that cannot run; <see cref="Problems"/> lists each broken rule at file:line:column.</summary>
public sealed class RulePackException(string message, IReadOnlyList<string> problems)
    : Exception(problems.Count == 0 ? message : message + Environment.NewLine + string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
