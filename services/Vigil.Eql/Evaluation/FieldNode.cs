using Vigil.Eql.Documents;

namespace Vigil.Eql.Evaluation;

/// <summary>Reads a field through its compiled accessor.</summary>
internal sealed class FieldNode<TEvent>(FieldAccessor<TEvent> accessor) : ValueNode<TEvent>
{
    public override EqlValue Evaluate(TEvent document) => accessor(document);
}
