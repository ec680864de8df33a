namespace Vigil.Eql.Syntax;

/// <summary>The string pattern operators: ':' (case-insensitive wildcard equality), like, regex.</summary>
public enum PatternOperator
{
    /// <summary><c>:</c>, always case-insensitive, with * and ? wildcards.</summary>
    InsensitiveEquals,
    Like,
    Regex,
}
