using Vigil.Eql.Kql;

namespace Vigil.Rules;

/// <summary>A rule's query language as read from <c>language</c>: EQL, or a query-string dialect (KQL, Lucene).</summary>
public readonly record struct RuleLanguage(QueryDialect? Dialect)
{
    public static RuleLanguage Eql => new(null);

    public bool IsEql => Dialect is null;
}
