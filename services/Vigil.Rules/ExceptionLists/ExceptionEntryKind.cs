namespace Vigil.Rules.ExceptionLists;

/// <summary>The entry types of a Kibana exception item (its "type" key), named as Kibana's UI shows them.</summary>
public enum ExceptionEntryKind
{
    /// <summary>"match": "is" (exact, case-sensitive, as Elasticsearch's match_phrase on a keyword field).</summary>
    Match,

    /// <summary>"match_any": "is one of".</summary>
    MatchAny,

    /// <summary>"exists": the field has a value.</summary>
    Exists,

    /// <summary>"wildcard": "matches" ('*' and '?', case-sensitive, as Elasticsearch's wildcard query).</summary>
    Wildcard,

    /// <summary>"list": "is in list" (a value list).</summary>
    List,

    /// <summary>"nested": entries that must hold together on one object of a nested field.</summary>
    Nested,
}
