using Vigil.Eql.Documents;
using Vigil.Eql.Indexing;

namespace Vigil.Eql.Evaluation;

/// <summary>
/// <c>a and b</c>, short-circuiting. As a filter, both must match (a bool query's must clauses); as a value, Kleene logic
/// (false and null is false, true and null is null), as Elasticsearch's scripts compute it.
/// </summary>
internal sealed class AndNode<TEvent>(ValueNode<TEvent> left, ValueNode<TEvent> right) : ConditionNode<TEvent>
{
    public override bool Test(TEvent document) => left.Test(document) && right.Test(document);

    internal override Requirement<TEvent> Requires => left.Requires.And(right.Requires);

    public override EqlValue Evaluate(TEvent document)
    {
        var l = left.Evaluate(document);
        if (l.Kind == EqlValueKind.Boolean && !l.IsTrue)
        {
            return EqlValue.False;
        }

        var r = right.Evaluate(document);
        if (r.Kind == EqlValueKind.Boolean && !r.IsTrue)
        {
            return EqlValue.False;
        }

        return l.IsNull || r.IsNull ? EqlValue.Null : EqlValue.True;
    }
}

/// <summary>
/// <c>a or b</c>, short-circuiting. As a filter, either must match (should clauses); as a value, Kleene logic (true or
/// null is true, false or null is null).
/// </summary>
internal sealed class OrNode<TEvent>(ValueNode<TEvent> left, ValueNode<TEvent> right) : ConditionNode<TEvent>
{
    public override bool Test(TEvent document) => left.Test(document) || right.Test(document);

    internal override Requirement<TEvent> Requires => left.Requires.Or(right.Requires);

    public override EqlValue Evaluate(TEvent document)
    {
        var l = left.Evaluate(document);
        if (l.IsTrue)
        {
            return EqlValue.True;
        }

        var r = right.Evaluate(document);
        if (r.IsTrue)
        {
            return EqlValue.True;
        }

        return l.IsNull || r.IsNull ? EqlValue.Null : EqlValue.False;
    }
}

/// <summary>
/// <c>not a</c>. As a filter it is the complement (Elasticsearch wraps the operand's query in must_not, so an event the
/// operand does not match, null included, matches); as a value, not null is null.
/// </summary>
internal sealed class NotNode<TEvent>(ValueNode<TEvent> operand) : ConditionNode<TEvent>
{
    public override bool Test(TEvent document) => !operand.Test(document);

    public override EqlValue Evaluate(TEvent document)
    {
        var value = operand.Evaluate(document);
        return value.IsNull ? EqlValue.Null : EqlValue.FromBoolean(!value.IsTrue);
    }
}
