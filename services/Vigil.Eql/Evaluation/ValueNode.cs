using Vigil.Eql.Documents;
using Vigil.Eql.Indexing;

namespace Vigil.Eql.Evaluation;

/// <summary>
/// A compiled expression over one event. Conditions override <see cref="Test"/>; EQL conditions are two-valued here:
/// a comparison involving a missing value is false, and <c>not</c> of it is true, as with Elasticsearch's term queries.
/// </summary>
internal abstract class ValueNode<TEvent>
{
    public abstract EqlValue Evaluate(TEvent document);

    public virtual bool Test(TEvent document) => Evaluate(document).IsTrue;

    /// <summary>
    /// What every event for which <see cref="Test"/> is true has in its fields (see <see cref="Requirement{TEvent}"/>):
    /// nothing, unless a node knows better. Read once, to index rules; never on the matching path.
    /// </summary>
    internal virtual Requirement<TEvent> Requires => Requirement<TEvent>.None;
}
