using Vigil.Eql.Documents;

namespace Vigil.Eql.Evaluation;

/// <summary>A literal (or a field the schema lacks but the query marked optional, which is always null).</summary>
internal sealed class ConstantNode<TEvent>(EqlValue value) : ValueNode<TEvent>
{
    public EqlValue Value { get; } = value;

    public override EqlValue Evaluate(TEvent document) => Value;
}
