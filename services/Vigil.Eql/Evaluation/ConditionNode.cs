using Vigil.Eql.Documents;

namespace Vigil.Eql.Evaluation;

/// <summary>
/// A node whose natural result is true/false. <see cref="Test"/> is how the condition filters events (Elasticsearch's
/// query: a null leaf does not match, <c>not</c> is its complement); <see cref="Evaluate"/> is its value when used inside
/// an expression (Elasticsearch's script: null when an operand is null), which nodes override where that differs.
/// </summary>
internal abstract class ConditionNode<TEvent> : ValueNode<TEvent>
{
    public override EqlValue Evaluate(TEvent document) => EqlValue.FromBoolean(Test(document));

    public abstract override bool Test(TEvent document);
}
