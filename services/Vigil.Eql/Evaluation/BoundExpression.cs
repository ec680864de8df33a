using Vigil.Eql.Documents;

namespace Vigil.Eql.Evaluation;

/// <summary>
/// A compiled expression with what the compiler knows about it: its type, whether it reads a field (EQL forbids
/// comparing a field with a field), and its value when it is a constant.
/// </summary>
internal sealed record BoundExpression<TEvent>(ValueNode<TEvent> Node, StaticType Type, bool ReadsField, string Text, SourceLocation Location)
{
    public bool IsConstant => Node is ConstantNode<TEvent>;

    public EqlValue Constant => Node is ConstantNode<TEvent> constant ? constant.Value : EqlValue.Null;
}
