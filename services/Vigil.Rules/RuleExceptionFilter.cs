using Vigil.Eql;
using Vigil.Eql.Documents;
using Vigil.Rules.ExceptionLists;

namespace Vigil.Rules;

/// <summary>
/// A rule's exceptions as Elastic applies them: a filter on the events the rule searches. An event is removed when
/// one exception holds for that event alone — a [vigil] entry whose every criterion the event meets, or a Kibana
/// exception list item whose every entry it meets — so an allow-listed event never takes part in, consumes or
/// overwrites a partial sequence.
/// </summary>
public sealed class RuleExceptionFilter<TEvent>
{
    private readonly (ExceptionHit Hit, CompiledQuery<TEvent> Query)[] entries;
    private readonly (ExceptionHit Hit, ExceptionItemMatcher<TEvent> Matcher)[] items;

    public RuleExceptionFilter(IReadOnlyList<RuleException> exceptions, IEventSchema<TEvent> schema)
        : this(exceptions, [], schema)
    {
    }

    public RuleExceptionFilter(IReadOnlyList<RuleException> exceptions, IReadOnlyList<ExceptionListItem> items, IEventSchema<TEvent> schema)
    {
        ArgumentNullException.ThrowIfNull(exceptions);
        ArgumentNullException.ThrowIfNull(items);
        entries = exceptions
            .Select(e => (new ExceptionHit($"[vigil] {e.Description ?? "(no description)"}"),
                EqlCompiler.Compile($"any where {string.Join(" and ", ExceptionConditions.For(e).Select(c => $"({c})"))}", schema)))
            .ToArray();
        this.items = items.Select(i => (new ExceptionHit($"{i.ListId}/{i.ItemId}: {i.Name}"), new ExceptionItemMatcher<TEvent>(i, schema))).ToArray();
    }

    public bool IsEmpty => entries.Length == 0 && this.items.Length == 0;

    /// <summary>The first exception that removes <paramref name="document"/>, or null when the rule sees it.</summary>
    public ExceptionHit? FindException(TEvent document)
    {
        foreach (var (hit, query) in entries)
        {
            if (query.Matches(document))
            {
                return hit;
            }
        }

        foreach (var (hit, matcher) in this.items)
        {
            if (matcher.Matches(document))
            {
                return hit;
            }
        }

        return null;
    }
}
