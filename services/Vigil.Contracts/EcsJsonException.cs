namespace Vigil.Contracts;

/// <summary>An ECS JSON document that does not fit the contract; <see cref="Path"/> names the offending value.</summary>
public sealed class EcsJsonException(string path, string message, Exception? inner = null)
    : FormatException($"{path}: {message}", inner)
{
    /// <summary>JSON path of the offending value as written in the document, e.g. <c>$.process.parent.pid</c> or <c>$.process.args[2]</c>.</summary>
    public string Path { get; } = path;
}
