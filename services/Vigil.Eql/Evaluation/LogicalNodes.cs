namespace Vigil.Eql.Evaluation;

/// <summary><c>a and b</c>, short-circuiting.</summary>
internal sealed class AndNode<TEvent>(ValueNode<TEvent> left, ValueNode<TEvent> right) : ConditionNode<TEvent>
{
    public override bool Test(TEvent document) => left.Test(document) && right.Test(document);
}

/// <summary><c>a or b</c>, short-circuiting.</summary>
internal sealed class OrNode<TEvent>(ValueNode<TEvent> left, ValueNode<TEvent> right) : ConditionNode<TEvent>
{
    public override bool Test(TEvent document) => left.Test(document) || right.Test(document);
}

/// <summary><c>not a</c>.</summary>
internal sealed class NotNode<TEvent>(ValueNode<TEvent> operand) : ConditionNode<TEvent>
{
    public override bool Test(TEvent document) => !operand.Test(document);
}
