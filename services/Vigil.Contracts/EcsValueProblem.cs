namespace Vigil.Contracts;

/// <summary>
/// A value in an ECS JSON document that could not be coerced to its contract field: where it is, what the contract
/// expects there, and what the document holds instead.
/// </summary>
/// <param name="Path">JSON path as the document spells it, e.g. <c>$.process.parent.pid</c> or <c>$.process.args[2]</c>.</param>
/// <param name="Expected">What the contract field takes, e.g. "a 64-bit integer".</param>
/// <param name="Found">The value found (its JSON text, shortened), or its kind for objects and arrays.</param>
public sealed record EcsValueProblem(string Path, string Expected, string Found)
{
    public override string ToString() => $"{Path}: expected {Expected}, found {Found}";
}
