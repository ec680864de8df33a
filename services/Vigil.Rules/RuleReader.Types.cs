using Vigil.Eql.Documents;
using Vigil.Eql.Kql;
using Vigil.Rules.Toml;

namespace Vigil.Rules;

/// <summary>The rule-type keys of [rule]: type and language, schedule, threshold, new_terms and the descriptive metadata.</summary>
internal sealed partial class RuleReader
{
    // Kibana's limits: threshold groups by up to 5 fields with at most one cardinality entry; new terms combine up to 3.
    private const int MaxThresholdFields = 5;
    private const int MaxNewTermsFields = 3;

    private RuleKind? ReadKind(TomlTableNode rule, string? type)
    {
        switch (type)
        {
            case null:
                return null;
            case "eql":
                return RuleKind.Eql;
            case "query":
                return RuleKind.Query;
            case "threshold":
                return RuleKind.Threshold;
            case "new_terms":
                return RuleKind.NewTerms;
            case "esql":
                Report(rule, "type", "ES|QL rules (type = \"esql\") are not supported: Vigil runs eql, query, threshold and new_terms rules");
                return null;
            case "machine_learning" or "threat_match" or "saved_query":
                Report(rule, "type", $"rule type \"{type}\" is not supported: Vigil runs eql, query, threshold and new_terms rules");
                return null;
            default:
                Report(rule, "type", $"unknown rule type \"{type}\": expected eql, query, threshold or new_terms");
                return null;
        }
    }

    private RuleLanguage? ReadLanguage(TomlTableNode rule, RuleKind kind, string language)
    {
        switch (kind, language)
        {
            case (RuleKind.Eql, "eql"):
                return RuleLanguage.Eql;
            case (not RuleKind.Eql, "kuery"):
                return new RuleLanguage(QueryDialect.Kuery);
            case (not RuleKind.Eql, "lucene"):
                return new RuleLanguage(QueryDialect.Lucene);
            case (RuleKind.Eql, _):
                Report(rule, "language", $"an eql rule is written in language \"eql\", not \"{language}\"");
                return null;
            default:
                Report(rule, "language", $"query language \"{language}\" is not supported for this rule type: expected \"kuery\" or \"lucene\"");
                return null;
        }
    }

    private RuleSchedule ReadSchedule(TomlTableNode rule)
    {
        var interval = RuleSchedule.DefaultInterval;
        if (String(rule, "interval", "[rule]", required: false) is { } intervalText && !RuleSchedule.TryParseInterval(intervalText, out interval))
        {
            Report(rule, "interval", $"interval \"{intervalText}\" is not a duration: expected a whole number and a unit ({RuleSchedule.Expected}), as in \"5m\"");
            interval = RuleSchedule.DefaultInterval;
        }

        var lookBack = RuleSchedule.DefaultLookBack;
        if (String(rule, "from", "[rule]", required: false) is { } fromText && !RuleSchedule.TryParseNowMinus(fromText, out lookBack))
        {
            Report(rule, "from", $"from \"{fromText}\" is not date math Vigil reads: expected \"now-\" and a duration ({RuleSchedule.Expected}), as in \"now-6m\"");
            lookBack = RuleSchedule.DefaultLookBack;
        }

        var maxSignals = Integer(rule, "max_signals", "[rule]", required: false);
        if (maxSignals is < 1 or > int.MaxValue)
        {
            Report(rule, "max_signals", $"max_signals must be a positive integer, not {maxSignals}");
            maxSignals = null;
        }

        return new RuleSchedule(interval, lookBack, (int?)maxSignals);
    }

    private ThresholdSpec? ReadThreshold(TomlTableNode rule)
    {
        if (Table(rule, "threshold", "[rule] of a threshold rule", required: true) is not { } table)
        {
            return null;
        }

        var fields = Strings(table, "field", "[rule.threshold]", allowSingle: true).Where(f => f.Length > 0).ToList();
        if (!table.TryGet("field", out _))
        {
            diagnostics.Add(new RuleDiagnostic(table.Location, "missing 'field' in [rule.threshold]: a field name, a list of them, or [] for one group"));
        }

        if (fields.Count > MaxThresholdFields)
        {
            Report(table, "field", $"a threshold groups by at most {MaxThresholdFields} fields, not {fields.Count}");
        }

        CheckFields(table, "field", fields);
        var value = Integer(table, "value", "[rule.threshold]", required: true);
        if (value is < 1)
        {
            Report(table, "value", $"the threshold value must be at least 1, not {value}");
        }

        var cardinality = new List<ThresholdCardinality>();
        foreach (var entry in Tables(table, "cardinality", "[rule.threshold]"))
        {
            var field = String(entry, "field", "[[rule.threshold.cardinality]]", required: true);
            var distinct = Integer(entry, "value", "[[rule.threshold.cardinality]]", required: true);
            if (distinct is < 1)
            {
                Report(entry, "value", $"a cardinality value must be at least 1, not {distinct}");
            }

            if (field is not null)
            {
                CheckFields(entry, "field", [field]);
            }

            if (field is not null && distinct is >= 1)
            {
                cardinality.Add(new ThresholdCardinality(field, distinct.Value));
            }
        }

        if (cardinality.Count > 1 && table.TryGet("cardinality", out var node))
        {
            diagnostics.Add(new RuleDiagnostic(node.Location, "a threshold has at most one cardinality entry"));
        }

        return value is >= 1 ? new ThresholdSpec(fields, value.Value, cardinality) : null;
    }

    private NewTermsSpec? ReadNewTerms(TomlTableNode rule)
    {
        if (Table(rule, "new_terms", "[rule] of a new_terms rule", required: true) is not { } table)
        {
            return null;
        }

        if (String(table, "field", "[rule.new_terms]", required: true) is { } name && name != "new_terms_fields")
        {
            Report(table, "field", $"[rule.new_terms] field is \"new_terms_fields\", not \"{name}\"");
        }

        var fields = Strings(table, "value", "[rule.new_terms]", allowSingle: true);
        if (!table.TryGet("value", out var valueNode))
        {
            diagnostics.Add(new RuleDiagnostic(table.Location, "missing 'value' in [rule.new_terms]: the list of fields whose combination must be new"));
        }
        else if (fields.Count is 0 or > MaxNewTermsFields)
        {
            diagnostics.Add(new RuleDiagnostic(valueNode.Location, $"new terms combine 1 to {MaxNewTermsFields} fields, not {fields.Count}"));
        }

        CheckFields(table, "value", fields);
        TimeSpan? history = null;
        var windows = Tables(table, "history_window_start", "[rule.new_terms]").ToList();
        if (windows.Count != 1)
        {
            diagnostics.Add(new RuleDiagnostic(table.Location, "[rule.new_terms] needs one [[rule.new_terms.history_window_start]] with value = \"now-7d\" style date math"));
        }

        foreach (var window in windows.Take(1))
        {
            if (String(window, "field", "[[rule.new_terms.history_window_start]]", required: true) is { } field && field != "history_window_start")
            {
                Report(window, "field", $"field is \"history_window_start\", not \"{field}\"");
            }

            if (String(window, "value", "[[rule.new_terms.history_window_start]]", required: true) is { } text)
            {
                if (RuleSchedule.TryParseNowMinus(text, out var span))
                {
                    history = span;
                }
                else
                {
                    Report(window, "value", $"history_window_start \"{text}\" is not date math Vigil reads: expected \"now-\" and a duration ({RuleSchedule.Expected}), as in \"now-7d\"");
                }
            }
        }

        return history is { } h && fields.Count is > 0 and <= MaxNewTermsFields ? new NewTermsSpec(fields, h) : null;
    }

    private string? ReadTimestampOverride(TomlTableNode rule)
    {
        var field = String(rule, "timestamp_override", "[rule]", required: false);
        if (field is null)
        {
            return null;
        }

        if (!TelemetrySchemas.Protobuf.Fields.TryResolve(field, out var definition, out var problem))
        {
            Report(rule, "timestamp_override", $"timestamp_override: {problem}");
            return null;
        }

        if (definition.Type != EqlFieldType.Time)
        {
            Report(rule, "timestamp_override", $"timestamp_override names '{field}', which is not a date field");
            return null;
        }

        return definition.Path;
    }

    private List<RequiredField> ReadRequiredFields(TomlTableNode rule)
    {
        var fields = new List<RequiredField>();
        foreach (var entry in Tables(rule, "required_fields", "[rule]"))
        {
            if (String(entry, "name", "[[rule.required_fields]]", required: true) is { } name)
            {
                entry.TryGet("ecs", out var ecs);
                fields.Add(new RequiredField(name, String(entry, "type", "[[rule.required_fields]]", required: false), ecs?.Value as bool?));
            }
        }

        return fields;
    }

    private List<RelatedIntegration> ReadRelatedIntegrations(TomlTableNode rule)
    {
        var integrations = new List<RelatedIntegration>();
        foreach (var entry in Tables(rule, "related_integrations", "[rule]"))
        {
            if (String(entry, "package", "[[rule.related_integrations]]", required: true) is { } package)
            {
                integrations.Add(new RelatedIntegration(
                    package,
                    String(entry, "integration", "[[rule.related_integrations]]", required: false),
                    String(entry, "version", "[[rule.related_integrations]]", required: false)));
            }
        }

        return integrations;
    }

    /// <summary>Grouping and term fields must exist in the telemetry contract, or the rule could never group anything.</summary>
    private void CheckFields(TomlTableNode table, string key, IEnumerable<string> fields)
    {
        foreach (var field in fields)
        {
            if (!TelemetrySchemas.Protobuf.Fields.TryResolve(field, out _, out var problem))
            {
                Report(table, key, problem);
            }
        }
    }
}
