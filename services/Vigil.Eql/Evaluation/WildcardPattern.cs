namespace Vigil.Eql.Evaluation;

/// <summary>
/// An EQL wildcard pattern: '*' matches any run of characters, '?' exactly one; every other character (backslash
/// included) is literal. Common shapes (exact, prefix*, *suffix, *infix*) use span comparisons; others run a
/// backtracking glob matcher with no allocation.
/// </summary>
internal sealed class WildcardPattern : StringMatcher
{
    private readonly string pattern;
    private readonly StringComparison comparison;
    private readonly bool ignoreCase;
    private readonly Shape shape;
    private readonly string literal;

    public WildcardPattern(string pattern, bool ignoreCase)
    {
        this.pattern = pattern;
        this.ignoreCase = ignoreCase;
        comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var inner = pattern.Trim('*');
        var hasInnerWildcard = inner.AsSpan().IndexOfAny('*', '?') >= 0;
        var leading = pattern.StartsWith('*');
        var trailing = pattern.EndsWith('*') && pattern.Length > 1;
        literal = inner;
        shape = hasInnerWildcard || (pattern.Length > 0 && inner.Length == 0)
            ? (inner.Length == 0 ? Shape.Anything : Shape.General)
            : (leading, trailing) switch
            {
                (false, false) => Shape.Exact,
                (false, true) => Shape.Prefix,
                (true, false) => Shape.Suffix,
                _ => Shape.Infix,
            };
    }

    private enum Shape
    {
        Exact,
        Prefix,
        Suffix,
        Infix,
        Anything,
        General,
    }

    /// <summary>True when the pattern has no wildcard: it matches <see cref="LiteralPrefix"/> itself only.</summary>
    public bool IsExact => shape == Shape.Exact;

    /// <summary>
    /// The text every matching value starts with (the pattern up to its first wildcard, compared as the pattern
    /// compares), or "" when the pattern starts with one.
    /// </summary>
    public string LiteralPrefix => shape == Shape.Exact ? literal : pattern[..pattern.AsSpan().IndexOfAny('*', '?')];

    /// <summary>
    /// The text every matching value ends with (the pattern after its last wildcard), or "" when the pattern ends with
    /// one. For a pattern without wildcards, the whole pattern.
    /// </summary>
    public string LiteralSuffix => pattern[(pattern.AsSpan().LastIndexOfAny('*', '?') + 1)..];

    public static bool HasWildcards(string pattern) => pattern.AsSpan().IndexOfAny('*', '?') >= 0;

    public override bool Matches(string value) => shape switch
    {
        Shape.Exact => string.Equals(value, literal, comparison),
        Shape.Prefix => value.StartsWith(literal, comparison),
        Shape.Suffix => value.EndsWith(literal, comparison),
        Shape.Infix => value.Contains(literal, comparison),
        Shape.Anything => true,
        _ => Glob(value),
    };

    private bool Glob(string value)
    {
        int p = 0, v = 0, starP = -1, starV = 0;
        while (v < value.Length)
        {
            if (p < this.pattern.Length && (this.pattern[p] == '?' || (this.pattern[p] != '*' && Same(this.pattern[p], value[v]))))
            {
                p++;
                v++;
            }
            else if (p < this.pattern.Length && this.pattern[p] == '*')
            {
                starP = p++;
                starV = v;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                v = ++starV;
            }
            else
            {
                return false;
            }
        }

        while (p < this.pattern.Length && this.pattern[p] == '*')
        {
            p++;
        }

        return p == this.pattern.Length;
    }

    private bool Same(char a, char b) => a == b || (ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));
}
