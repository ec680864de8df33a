using System.Text.RegularExpressions;

namespace Vigil.Eql.Evaluation;

/// <summary>
/// An EQL regex: like Elasticsearch's (Lucene) regular expressions it must match the whole value. It runs on .NET's
/// non-backtracking engine, so a rule cannot make matching take exponential time.
/// </summary>
internal sealed class RegexPattern(Regex regex) : StringMatcher
{
    public static RegexPattern? TryCreate(string pattern, bool ignoreCase, out string? error)
    {
        try
        {
            var options = RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.NonBacktracking
                | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
            error = null;
            return new RegexPattern(new Regex(@"\A(?:" + pattern + @")\z", options));
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
            return null;
        }
    }

    public override bool Matches(string value) => regex.IsMatch(value);
}
