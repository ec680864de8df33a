using System.Text;
using Vigil.Eql;
using Vigil.Eql.Documents;

namespace Vigil.Rules;

/// <summary>
/// Writes each criterion of a <see cref="RuleException"/> as an EQL condition, so exceptions run on the same compiled
/// evaluator (and the same wildcard and CIDR semantics) as the rules they tune.
/// </summary>
internal static class ExceptionConditions
{
    public static IEnumerable<string> For(RuleException exception)
    {
        if (exception.ProcessExecutables.Count > 0)
        {
            yield return $"process.executable : {List(exception.ProcessExecutables)}";
        }

        if (exception.ParentExecutables.Count > 0)
        {
            yield return $"process.parent.executable : {List(exception.ParentExecutables)}";
        }

        // A signing identity only vouches for a binary when the signature is trusted: anyone can ad-hoc sign a
        // dropped payload with `codesign -s - -i com.vendor.updater`, so an untrusted signature never matches.
        if (exception.SigningIds.Count > 0)
        {
            yield return $"process.code_signature.trusted == true and process.code_signature.signing_id in {List(exception.SigningIds)}";
        }

        if (exception.TeamIds.Count > 0)
        {
            yield return $"process.code_signature.trusted == true and process.code_signature.team_id in {List(exception.TeamIds)}";
        }

        if (exception.Users.Count > 0)
        {
            yield return $"user.name in {List(exception.Users)} or user.id in {List(exception.Users)}";
        }

        if (exception.PathPrefixes.Count > 0)
        {
            // A prefix may hold wildcards ("/Users/*/Downloads/"), since home folders differ per user; it applies to the file
            // an event writes or reads (file.path) and to the image or script a process loads (dll.path).
            var prefixes = List(exception.PathPrefixes.Select(p => p + "*"));
            yield return $"file.path : {prefixes} or dll.path : {prefixes}";
        }

        if (exception.DestinationDomains.Count > 0)
        {
            yield return $"destination.domain : {List(exception.DestinationDomains)} or dns.question.name : {List(exception.DestinationDomains)}";
        }

        if (exception.DestinationIps.Count > 0)
        {
            yield return $"cidrMatch(destination.ip, {string.Join(", ", exception.DestinationIps.Select(Literal))})";
        }
    }

    /// <summary>True when <paramref name="text"/> is an IPv4/IPv6 address or CIDR block, as cidrMatch reads it.</summary>
    public static bool IsAddressOrBlock(string text)
    {
        try
        {
            EqlCompiler.Compile($"any where cidrMatch(destination.ip, {Literal(text)})", TelemetrySchemas.Protobuf);
            return true;
        }
        catch (EqlException)
        {
            return false;
        }
    }

    private static string List(IEnumerable<string> values) => "(" + string.Join(", ", values.Select(Literal)) + ")";

    /// <summary>An EQL string literal holding exactly <paramref name="value"/>.</summary>
    public static string Literal(string value)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }
}
