namespace Vigil.Eql.Kql;

/// <summary>The two query-string languages of Elastic's <c>query</c> rules: Kibana's KQL ("kuery") and Lucene query_string ("lucene").</summary>
public enum QueryDialect
{
    Kuery,
    Lucene,
}
