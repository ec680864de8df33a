using Vigil.Eql.Documents;
using Vigil.Eql.Indexing;

namespace Vigil.Eql.Evaluation;

/// <summary><c>process where ...</c>: the event's event.category values include the step's category (case-sensitive, as a term query).</summary>
internal sealed class CategoryNode<TEvent>(FieldAccessor<TEvent> categories, string category) : ConditionNode<TEvent>
{
    public const string Path = "event.category";

    internal override Requirement<TEvent> Requires => Requirement<TEvent>.Of(new ValueRequirement<TEvent>(Path, categories, [category], []));

    public override bool Test(TEvent document)
    {
        var values = categories(document);
        for (var i = 0; i < values.Count; i++)
        {
            var value = values.ItemAt(i);
            if (value.Kind == EqlValueKind.String && string.Equals(value.AsString, category, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
