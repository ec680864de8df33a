using Vigil.Eql.Documents;

namespace Vigil.Eql.Evaluation;

/// <summary>Reads a field through its compiled accessor.</summary>
internal sealed class FieldNode<TEvent>(FieldAccessor<TEvent> accessor, string path) : ValueNode<TEvent>
{
    /// <summary>The field's canonical path.</summary>
    public string Path { get; } = path;

    public FieldAccessor<TEvent> Accessor { get; } = accessor;

    public override EqlValue Evaluate(TEvent document) => Accessor(document);
}
