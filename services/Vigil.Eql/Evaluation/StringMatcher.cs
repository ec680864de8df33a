namespace Vigil.Eql.Evaluation;

/// <summary>A compiled string pattern (wildcard or regular expression).</summary>
internal abstract class StringMatcher
{
    public abstract bool Matches(string value);
}
