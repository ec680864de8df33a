using Vigil.Contracts.Telemetry;
using Vigil.Eql.Documents;
using Vigil.Rules;

namespace Vigil.Console;

/// <summary>
/// How a rule's [vigil] exception entries relate to one alert: for each entry, which criteria the evidence already
/// satisfies (an entry whose criteria all hold would have allowed the alert), and a new entry built from the evidence
/// that would allow alerts like it. Criteria run through <see cref="RuleExceptionFilter{TEvent}"/>, the correlator's own
/// evaluator, one criterion at a time.
/// </summary>
public sealed record ExceptionAssessment(RuleException Entry, IReadOnlyList<ExceptionCriterion> Criteria)
{
    public bool Allows => Criteria.Count > 0 && Criteria.All(c => c.Holds);

    public static IReadOnlyList<ExceptionAssessment> Assess(IReadOnlyList<RuleException> entries, IReadOnlyList<TelemetryEvent> evidence) =>
        entries.Select(entry => new ExceptionAssessment(entry, CriteriaOf(entry).Select(c => c with { Holds = Holds(c.Key, c.Values, evidence) }).ToList())).ToList();

    /// <summary>An exception entry, as TOML, whose criteria this alert's evidence satisfies: parent, destination, user.</summary>
    public static string Suggest(string ruleName, IReadOnlyList<TelemetryEvent> evidence)
    {
        var lines = new List<string> { "[[vigil.exception]]", $"description = {Toml($"Sanctioned: {ruleName} (replace with why this is benign)")}" };
        var parent = evidence.Select(e => e.Process?.Parent?.Executable).FirstOrDefault(p => !string.IsNullOrEmpty(p));
        var process = evidence.Select(e => e.Process?.Executable).FirstOrDefault(p => !string.IsNullOrEmpty(p));
        var domains = evidence.Select(e => e.Destination?.Domain).Where(d => !string.IsNullOrEmpty(d)).Distinct().ToList();
        var ips = domains.Count > 0 ? [] : evidence.Select(e => e.Destination?.Ip).Where(d => !string.IsNullOrEmpty(d)).Distinct().ToList();
        var users = evidence.Select(e => e.User?.Name).Where(u => !string.IsNullOrEmpty(u)).Distinct().ToList();
        if (parent is not null)
        {
            lines.Add($"parent_executable = {Toml(parent)}");
        }
        else if (process is not null)
        {
            lines.Add($"process_executable = {Toml(process)}");
        }

        if (domains.Count > 0)
        {
            lines.Add($"destination_domain = [{string.Join(", ", domains.Select(d => Toml(d!)))}]");
        }

        if (ips.Count > 0)
        {
            lines.Add($"destination_ip = [{string.Join(", ", ips.Select(d => Toml(d!)))}]");
        }

        if (users.Count > 0)
        {
            lines.Add($"user = [{string.Join(", ", users.Select(u => Toml(u!)))}]");
        }

        return string.Join('\n', lines);
    }

    private static IEnumerable<ExceptionCriterion> CriteriaOf(RuleException e)
    {
        (string Key, IReadOnlyList<string> Values)[] all =
        [
            ("process_executable", e.ProcessExecutables),
            ("parent_executable", e.ParentExecutables),
            ("signing_id", e.SigningIds),
            ("team_id", e.TeamIds),
            ("user", e.Users),
            ("path_prefix", e.PathPrefixes),
            ("destination_domain", e.DestinationDomains),
            ("destination_ip", e.DestinationIps),
        ];
        return all.Where(c => c.Values.Count > 0).Select(c => new ExceptionCriterion(c.Key, c.Values, false));
    }

    private static bool Holds(string key, IReadOnlyList<string> values, IReadOnlyList<TelemetryEvent> evidence)
    {
        IReadOnlyList<string> none = [];
        var single = new RuleException(
            null,
            key == "process_executable" ? values : none,
            key == "parent_executable" ? values : none,
            key == "signing_id" ? values : none,
            key == "team_id" ? values : none,
            key == "user" ? values : none,
            key == "path_prefix" ? values : none,
            key == "destination_domain" ? values : none,
            key == "destination_ip" ? values : none);
        // Exceptions test one event at a time, as Elastic filters the events a rule searches.
        var filter = new RuleExceptionFilter<TelemetryEvent>([single], TelemetrySchemas.Protobuf);
        return evidence.Any(e => filter.FindException(e) is not null);
    }

    private static string Toml(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
