using Vigil.Eql.Documents;

namespace Vigil.Eql.Evaluation;

/// <summary>Unary minus over a number; null otherwise.</summary>
internal sealed class NegateNode<TEvent>(ValueNode<TEvent> operand) : ValueNode<TEvent>
{
    public override EqlValue Evaluate(TEvent document)
    {
        var value = operand.Evaluate(document).First;
        return value.Kind switch
        {
            EqlValueKind.Integer => EqlValue.FromInteger(-value.AsInteger),
            EqlValueKind.Float => EqlValue.FromFloat(-value.AsFloat),
            _ => EqlValue.Null,
        };
    }
}
