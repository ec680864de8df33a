using Vigil.Eql.Documents;
using Vigil.Eql.Syntax;

namespace Vigil.Eql.Evaluation;

/// <summary>
/// + - * / % and add/subtract/multiply/divide/modulo. Two integers stay integers (division truncates, as Elasticsearch
/// documents); a float on either side gives a float; null or division by zero gives null.
/// </summary>
internal sealed class ArithmeticNode<TEvent>(ArithmeticOperator op, ValueNode<TEvent> left, ValueNode<TEvent> right) : ValueNode<TEvent>
{
    public override EqlValue Evaluate(TEvent document) => Apply(op, left.Evaluate(document).First, right.Evaluate(document).First);

    public static EqlValue Apply(ArithmeticOperator op, EqlValue l, EqlValue r)
    {
        if (!l.IsNumber || !r.IsNumber)
        {
            return EqlValue.Null;
        }

        if (l.Kind == EqlValueKind.Integer && r.Kind == EqlValueKind.Integer)
        {
            long a = l.AsInteger, b = r.AsInteger;
            return op switch
            {
                ArithmeticOperator.Add => EqlValue.FromInteger(unchecked(a + b)),
                ArithmeticOperator.Subtract => EqlValue.FromInteger(unchecked(a - b)),
                ArithmeticOperator.Multiply => EqlValue.FromInteger(unchecked(a * b)),
                ArithmeticOperator.Divide => b == 0 ? EqlValue.Null : EqlValue.FromInteger(a / b),
                _ => b == 0 ? EqlValue.Null : EqlValue.FromInteger(a % b),
            };
        }

        double x = l.AsFloat, y = r.AsFloat;
        return op switch
        {
            ArithmeticOperator.Add => EqlValue.FromFloat(x + y),
            ArithmeticOperator.Subtract => EqlValue.FromFloat(x - y),
            ArithmeticOperator.Multiply => EqlValue.FromFloat(x * y),
            ArithmeticOperator.Divide => y == 0 ? EqlValue.Null : EqlValue.FromFloat(x / y),
            _ => y == 0 ? EqlValue.Null : EqlValue.FromFloat(x % y),
        };
    }
}
