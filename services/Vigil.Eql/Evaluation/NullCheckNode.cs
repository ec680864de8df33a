namespace Vigil.Eql.Evaluation;

/// <summary><c>x == null</c> (missing, empty) or <c>x != null</c> (has at least one value).</summary>
internal sealed class NullCheckNode<TEvent>(ValueNode<TEvent> value, bool expectNull) : ConditionNode<TEvent>
{
    public override bool Test(TEvent document) => value.Evaluate(document).IsNull == expectNull;
}
