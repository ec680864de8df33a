using Vigil.Eql.Documents;

namespace Vigil.Eql.Evaluation;

/// <summary>A node whose natural result is true/false.</summary>
internal abstract class ConditionNode<TEvent> : ValueNode<TEvent>
{
    public sealed override EqlValue Evaluate(TEvent document) => EqlValue.FromBoolean(Test(document));

    public abstract override bool Test(TEvent document);
}
