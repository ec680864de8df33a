namespace Vigil.Contracts;

/// <summary>An ECS JSON document that does not fit the contract; <see cref="Path"/> names the offending value.</summary>
public sealed class EcsJsonException : FormatException
{
    public EcsJsonException(string path, string message, Exception? inner = null)
        : base($"{path}: {message}", inner)
    {
        Path = path;
    }

    public EcsJsonException(EcsValueProblem problem)
        : base(problem.ToString())
    {
        Path = problem.Path;
        Problem = problem;
    }

    /// <summary>JSON path of the offending value as written in the document, e.g. <c>$.process.parent.pid</c> or <c>$.process.args[2]</c>.</summary>
    public string Path { get; }

    /// <summary>The typed reason when a value could not be coerced; null when the document was not JSON at all.</summary>
    public EcsValueProblem? Problem { get; }
}
