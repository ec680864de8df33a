using System.Security.Cryptography;
using System.Text;
using Vigil.Contracts;
using Vigil.Contracts.Alerts;
using Vigil.Contracts.Telemetry;
using Vigil.Eql.Sequences;

namespace Vigil.Detection;

/// <summary>Turns a completed match into an Alert carrying the evidence an analyst needs.</summary>
public sealed class AlertFactory(TimeProvider clock, string producer)
{
    /// <summary>
    /// Deterministic id: the first 128 bits of SHA-256 over the rule id and the evidence event ids, so a
    /// replay of the same events after a crash produces the same id and is recognised as a repeat.
    /// </summary>
    public static string AlertId(string ruleId, IReadOnlyList<string> eventIds)
    {
        var text = new StringBuilder(ruleId);
        foreach (var id in eventIds)
        {
            text.Append('\n').Append(id);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())).AsSpan(0, 16));
    }

    public Alert Create(CompiledRule rule, SequenceMatch<TelemetryEvent> match)
    {
        var first = match.Events[0];
        var alert = new Alert
        {
            Id = AlertId(rule.RuleId, match.EventIds),
            Rule = Describe(rule),
            Host = first.Host?.Clone() ?? new Vigil.Contracts.Telemetry.Host { Id = match.HostId },
            User = match.Events.Select(e => e.User).FirstOrDefault(u => u is not null && (u.Name.Length > 0 || u.Id.Length > 0))?.Clone() ?? new User(),
            FirstEventTime = match.FirstTimestamp,
            LastEventTime = match.LastTimestamp,
            DetectionTime = clock.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000,
            Reason = Reason(rule, match),
            Producer = producer,
        };
        alert.JoinKeys.Add(new Vigil.Contracts.Alerts.JoinKey { Field = "host.id", Value = match.HostId });
        for (var i = 0; i < rule.Query.JoinKeyNames.Count && i < match.Key.Values.Count; i++)
        {
            if (rule.Query.JoinKeyNames[i] != "host.id")
            {
                alert.JoinKeys.Add(new Vigil.Contracts.Alerts.JoinKey { Field = rule.Query.JoinKeyNames[i], Value = match.Key.Values[i] ?? string.Empty });
            }
        }

        for (var step = 0; step < match.Events.Count; step++)
        {
            alert.Evidence.Add(new Evidence { Step = step, Event = match.Events[step].Clone() });
        }

        return alert;
    }

    private static Rule Describe(CompiledRule rule)
    {
        var described = new Rule
        {
            Id = rule.RuleId,
            Name = rule.Rule.Name,
            AnalyticId = rule.AnalyticId,
            Version = rule.Rule.Version,
            Type = rule.Rule.Type,
            BuildingBlockType = rule.Rule.BuildingBlockType ?? string.Empty,
            Severity = rule.Rule.Severity.ToString().ToLowerInvariant(),
            RiskScore = rule.Rule.RiskScore,
            Description = rule.Rule.Description,
        };
        described.Tags.Add(rule.Rule.Tags);
        foreach (var threat in rule.Rule.Threats)
        {
            described.Tactics.Add(threat.Tactic.Id);
            foreach (var technique in threat.Techniques)
            {
                described.Techniques.Add(technique.Id);
                described.Techniques.Add(technique.Subtechniques.Select(s => s.Id));
            }
        }

        return described;
    }

    private static string Reason(CompiledRule rule, SequenceMatch<TelemetryEvent> match)
    {
        var span = TimeSpan.FromTicks((match.LastTimestamp - match.FirstTimestamp) / 100);
        var steps = string.Join(" -> ", match.Events.Select(e => TelemetryLine.Summarize(e)));
        return match.Events.Count == 1
            ? $"{rule.Rule.Name}: {steps}"
            : $"{rule.Rule.Name}: {steps} (within {span.TotalSeconds:0.###} s)";
    }
}
