using Vigil.Eql.Documents;

namespace Vigil.Eql.Evaluation;

/// <summary>
/// A compiled expression over one event. Conditions override <see cref="Test"/>; EQL conditions are two-valued here:
/// a comparison involving a missing value is false, and <c>not</c> of it is true, as with Elasticsearch's term queries.
/// </summary>
internal abstract class ValueNode<TEvent>
{
    public abstract EqlValue Evaluate(TEvent document);

    public virtual bool Test(TEvent document) => Evaluate(document).IsTrue;
}
