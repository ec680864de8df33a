namespace Vigil.Rules;

/// <summary>The detection-rules <c>type</c> values Vigil runs (ES|QL rules are reported as unsupported at load).</summary>
public enum RuleKind
{
    /// <summary><c>type = "eql"</c>: a single-event EQL query or a sequence.</summary>
    Eql,

    /// <summary><c>type = "query"</c>: a KQL or Lucene query; every matching event is an alert.</summary>
    Query,

    /// <summary><c>type = "threshold"</c>: alert when enough matching events share the grouping fields' values.</summary>
    Threshold,

    /// <summary><c>type = "new_terms"</c>: alert on a combination of field values not seen within the history window.</summary>
    NewTerms,
}
