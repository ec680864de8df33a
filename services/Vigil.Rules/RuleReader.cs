using System.Text.RegularExpressions;
using Vigil.Eql;
using Vigil.Eql.Documents;
using Vigil.Eql.Kql;
using Vigil.Eql.Syntax;
using Vigil.Rules.ExceptionLists;
using Vigil.Rules.Toml;

namespace Vigil.Rules;

/// <summary>
/// Maps one located TOML document to a <see cref="DetectionRule"/>, then validates it (EQL compiled against the
/// telemetry contract, MITRE ids, [vigil] durations and exceptions). Every problem is collected with its position.
/// </summary>
internal sealed partial class RuleReader(string sourceName, List<RuleDiagnostic> diagnostics)
{
    private static readonly string[] VigilKeys =
        ["analytic", "lateness", "suppression_window", "exception", "new_terms_learning", "sequence_span", "max_pending_keys", "max_state_bytes"];

    private static readonly Dictionary<string, Func<RuleExceptionBuilder, List<string>>> ExceptionCriteria = new(StringComparer.Ordinal)
    {
        ["process_executable"] = b => b.ProcessExecutables,
        ["parent_executable"] = b => b.ParentExecutables,
        ["signing_id"] = b => b.SigningIds,
        ["team_id"] = b => b.TeamIds,
        ["user"] = b => b.Users,
        ["path_prefix"] = b => b.PathPrefixes,
        ["destination_domain"] = b => b.DestinationDomains,
        ["destination_ip"] = b => b.DestinationIps,
    };

    public DetectionRule? Read(TomlTableNode root)
    {
        var errorsBefore = diagnostics.Count;
        var metadata = ReadMetadata(root);
        if (Table(root, "rule", "the file", required: true) is not { } rule)
        {
            return null;
        }

        var ruleId = String(rule, "rule_id", "[rule]", required: true);
        var name = String(rule, "name", "[rule]", required: true);
        var description = String(rule, "description", "[rule]", required: true);
        var riskScore = Integer(rule, "risk_score", "[rule]", required: true);
        if (riskScore is < 0 or > 100)
        {
            Report(rule, "risk_score", $"risk_score must be between 0 and 100, not {riskScore}");
        }

        var severity = ReadSeverity(rule);
        var type = String(rule, "type", "[rule]", required: true);
        var kind = ReadKind(rule, type);
        var language = String(rule, "language", "[rule]", required: true);
        var dialect = kind is null || language is null ? null : ReadLanguage(rule, kind.Value, language);

        // A query in an unsupported language would only produce parse noise on top of the type error.
        var query = ReadQuery(rule, kind, dialect, compile: dialect is not null);
        var threats = ReadThreats(rule);
        var vigil = ReadVigil(root);
        var schedule = ReadSchedule(rule);
        var threshold = kind == RuleKind.Threshold ? ReadThreshold(rule) : null;
        var newTerms = kind == RuleKind.NewTerms ? ReadNewTerms(rule) : null;
        var timestampOverride = ReadTimestampOverride(rule);
        var buildingBlock = String(rule, "building_block_type", "[rule]", required: false);
        if (buildingBlock is not null and not "default")
        {
            Report(rule, "building_block_type", $"building_block_type \"{buildingBlock}\" is not one Elastic knows: expected \"default\"");
        }

        var version = Integer(rule, "version", "[rule]", required: false);
        var revision = Integer(rule, "revision", "[rule]", required: false);
        if (version is < 1 or > int.MaxValue)
        {
            Report(rule, "version", $"version must be a positive integer, not {version}");
        }

        if (revision is < 0 or > int.MaxValue)
        {
            Report(rule, "revision", $"revision must not be negative, not {revision}");
        }

        var requiredFields = ReadRequiredFields(rule);
        var relatedIntegrations = ReadRelatedIntegrations(rule);
        var setup = String(rule, "setup", "[rule]", required: false);
        var exceptionLists = ReadExceptionLists(rule);
        var suppression = ReadAlertSuppression(rule, type);
        if (diagnostics.Count > errorsBefore || ruleId is null || name is null || description is null || query is null)
        {
            return null;
        }

        return new DetectionRule(
            ruleId, name, description, (int)riskScore!.Value, severity!.Value, type!, language!, query, threats,
            Strings(rule, "tags", "[rule]"), Strings(rule, "references", "[rule]"), metadata, vigil)
        {
            Kind = kind!.Value,
            Dialect = dialect!.Value.Dialect,
            Schedule = schedule,
            Threshold = threshold,
            NewTerms = newTerms,
            BuildingBlockType = buildingBlock,
            TimestampOverride = timestampOverride,
            Version = (int)(version ?? 1),
            Revision = (int?)revision,
            RequiredFields = requiredFields,
            RelatedIntegrations = relatedIntegrations,
            Setup = setup,
            ExceptionLists = exceptionLists,
            AlertSuppression = suppression,
        };
    }

    private RuleMetadata ReadMetadata(TomlTableNode root)
    {
        if (Table(root, "metadata", "the file", required: false) is not { } metadata)
        {
            return new RuleMetadata(null, null, null, []);
        }

        return new RuleMetadata(
            String(metadata, "creation_date", "[metadata]", required: false),
            String(metadata, "updated_date", "[metadata]", required: false),
            String(metadata, "maturity", "[metadata]", required: false),
            Strings(metadata, "integration", "[metadata]", allowSingle: true));
    }

    private RuleSeverity? ReadSeverity(TomlTableNode rule)
    {
        var text = String(rule, "severity", "[rule]", required: true);
        if (text is null)
        {
            return null;
        }

        if (Enum.TryParse<RuleSeverity>(text, ignoreCase: true, out var severity) && text.All(char.IsAsciiLetterLower))
        {
            return severity;
        }

        Report(rule, "severity", $"severity \"{text}\" is not one of low, medium, high, critical");
        return null;
    }

    private EqlSource? ReadQuery(TomlTableNode rule, RuleKind? kind, RuleLanguage? dialect, bool compile)
    {
        if (!rule.TryGet("query", out var node))
        {
            diagnostics.Add(new RuleDiagnostic(rule.Location, "missing 'query' in [rule]"));
            return null;
        }

        if (node.Value is not string text)
        {
            diagnostics.Add(new RuleDiagnostic(node.Location, $"'query' must be a string, not {node.Kind}"));
            return null;
        }

        var source = QuerySource(node, text);
        if (!compile || kind is null)
        {
            return source;
        }

        try
        {
            if (kind == RuleKind.Eql)
            {
                EqlCompiler.Compile(source, TelemetrySchemas.Protobuf);
            }
            else
            {
                KqlCompiler.Compile(source, dialect!.Value.Dialect!.Value, TelemetrySchemas.Protobuf);
            }
        }
        catch (EqlException ex)
        {
            diagnostics.AddRange(ex.Diagnostics.Select(d => new RuleDiagnostic(d.Location, d.Message)));
        }

        return source;
    }

    /// <summary>Where the query text starts in the file: after the opening quotes, or on the next line for a '''block'''.</summary>
    private EqlSource QuerySource(TomlNode node, string text)
    {
        var raw = node.RawText;
        var (line, column) = (node.Location.Line, node.Location.Column);
        if (raw.StartsWith("'''", StringComparison.Ordinal) || raw.StartsWith("\"\"\"", StringComparison.Ordinal))
        {
            // TOML drops a newline right after the opening delimiter, so the text starts on the next line.
            return raw.AsSpan(3).StartsWith("\n") || raw.AsSpan(3).StartsWith("\r\n")
                ? new EqlSource(sourceName, text, line + 1, 1)
                : new EqlSource(sourceName, text, line, column + 3);
        }

        return new EqlSource(sourceName, text, line, column + 1);
    }

    private List<ThreatMapping> ReadThreats(TomlTableNode rule)
    {
        var threats = new List<ThreatMapping>();
        foreach (var threat in Tables(rule, "threat", "[rule]"))
        {
            var framework = String(threat, "framework", "[[rule.threat]]", required: true);
            MitreTactic? tactic = null;
            if (Table(threat, "tactic", "[[rule.threat]]", required: true) is { } tacticTable)
            {
                var id = MitreId(tacticTable, "[rule.threat.tactic]", TacticId(), "TA0002");
                var name = String(tacticTable, "name", "[rule.threat.tactic]", required: true);
                tactic = id is null || name is null ? null : new MitreTactic(id, name, String(tacticTable, "reference", "[rule.threat.tactic]", required: false));
            }

            var techniques = new List<MitreTechnique>();
            foreach (var technique in Tables(threat, "technique", "[[rule.threat]]"))
            {
                var id = MitreId(technique, "[[rule.threat.technique]]", TechniqueId(), "T1059");
                var name = String(technique, "name", "[[rule.threat.technique]]", required: true);
                var subtechniques = new List<MitreTechnique>();
                foreach (var sub in Tables(technique, "subtechnique", "[[rule.threat.technique]]"))
                {
                    var subId = MitreId(sub, "[[rule.threat.technique.subtechnique]]", SubtechniqueId(), "T1059.007");
                    var subName = String(sub, "name", "[[rule.threat.technique.subtechnique]]", required: true);
                    if (subId is not null && id is not null && !subId.StartsWith(id + ".", StringComparison.Ordinal))
                    {
                        Report(sub, "id", $"sub-technique {subId} does not belong to technique {id}");
                    }

                    if (subId is not null && subName is not null)
                    {
                        subtechniques.Add(new MitreTechnique(subId, subName, String(sub, "reference", "[[rule.threat.technique.subtechnique]]", required: false), []));
                    }
                }

                if (id is not null && name is not null)
                {
                    techniques.Add(new MitreTechnique(id, name, String(technique, "reference", "[[rule.threat.technique]]", required: false), subtechniques));
                }
            }

            if (framework is not null && tactic is not null)
            {
                threats.Add(new ThreatMapping(framework, tactic, techniques));
            }
        }

        return threats;
    }

    private string? MitreId(TomlTableNode table, string tableName, Regex pattern, string example)
    {
        var id = String(table, "id", tableName, required: true);
        if (id is not null && !pattern.IsMatch(id))
        {
            Report(table, "id", $"'{id}' is not a MITRE ATT&CK id of this kind (expected e.g. {example})");
            return null;
        }

        return id;
    }

    private VigilRuleSettings ReadVigil(TomlTableNode root)
    {
        if (Table(root, "vigil", "the file", required: false) is not { } vigil)
        {
            return VigilRuleSettings.None;
        }

        foreach (var key in vigil.Keys.Where(k => !VigilKeys.Contains(k)))
        {
            diagnostics.Add(new RuleDiagnostic(vigil.KeyLocation(key), $"unknown key '{key}' in [vigil]: expected {string.Join(", ", VigilKeys)}"));
        }

        if (vigil.TryGet("suppression_window", out var window))
        {
            // Vigil's old window folded every match of the rule's join keys into one alert, so a second attack on the
            // same host and user vanished; suppression is now Elastic's, per rule and by the fields the rule names.
            diagnostics.Add(new RuleDiagnostic(window.Location,
                "[vigil] suppression_window is no longer read: suppress with Elastic's [rule.alert_suppression] (group_by = [...], duration = { value = 15, unit = \"m\" }), or leave it out to alert on every match"));
        }

        var exceptions = Tables(vigil, "exception", "[vigil]").Select(ReadException).OfType<RuleException>().ToList();
        return new VigilRuleSettings(
            String(vigil, "analytic", "[vigil]", required: false),
            Duration(vigil, "lateness"),
            exceptions)
        {
            NewTermsLearning = Duration(vigil, "new_terms_learning"),
            SequenceSpan = Duration(vigil, "sequence_span"),
            MaxPendingKeys = Limit(vigil, "max_pending_keys"),
            MaxStateBytes = Limit(vigil, "max_state_bytes"),
        };
    }

    private int? Limit(TomlTableNode table, string key)
    {
        var value = Integer(table, key, "[vigil]", required: false);
        if (value is null)
        {
            return null;
        }

        if (value is < 1 or > int.MaxValue)
        {
            Report(table, key, $"{key} must be a whole number from 1 to {int.MaxValue}, not {value}");
            return null;
        }

        return (int)value;
    }

    /// <summary>exceptions_list = [{ id, list_id, namespace_type, type }], as Kibana exports rules.</summary>
    private List<ExceptionListReference> ReadExceptionLists(TomlTableNode rule)
    {
        var references = new List<ExceptionListReference>();
        if (!rule.TryGet("exceptions_list", out var node))
        {
            return references;
        }

        if (node.Value is not List<TomlNode> items || !items.All(i => i.Value is TomlTableNode))
        {
            diagnostics.Add(new RuleDiagnostic(node.Location, $"'exceptions_list' must be an array of tables ({{ id, list_id, namespace_type, type }}), not {node.Kind}"));
            return references;
        }

        foreach (var item in items)
        {
            var table = (TomlTableNode)item.Value;
            const string where = "an exceptions_list entry";
            var listId = String(table, "list_id", where, required: true);
            var namespaceType = OneOf(table, "namespace_type", where, ExceptionListReader.NamespaceTypes, "single");
            var listType = OneOf(table, "type", where, ExceptionListReader.ListTypes, "detection");
            var id = String(table, "id", where, required: false);
            if (listId is not null && namespaceType is not null && listType is not null)
            {
                references.Add(new ExceptionListReference(id, listId, namespaceType, listType, item.Location));
            }
        }

        return references;
    }

    /// <summary>
    /// [rule.alert_suppression] as Elastic's rule schema has it: group_by (1 to 3 fields), duration { value, unit } with
    /// unit s, m or h, missing_fields_strategy "suppress" (default) or "doNotSuppress". Threshold rules take only a
    /// duration: they group by their threshold fields.
    /// </summary>
    private AlertSuppression? ReadAlertSuppression(TomlTableNode rule, string? type)
    {
        if (Table(rule, "alert_suppression", "[rule]", required: false) is not { } table)
        {
            return null;
        }

        const string where = "[rule.alert_suppression]";
        foreach (var key in table.Keys.Where(k => k is not ("group_by" or "duration" or "missing_fields_strategy")))
        {
            diagnostics.Add(new RuleDiagnostic(table.KeyLocation(key), $"unknown key '{key}' in {where}: expected group_by, duration, missing_fields_strategy"));
        }

        var groupBy = Strings(table, "group_by", where);
        var isThreshold = type == "threshold";
        if (isThreshold && (table.TryGet("group_by", out _) || table.TryGet("missing_fields_strategy", out _)))
        {
            Report(table, table.TryGet("group_by", out _) ? "group_by" : "missing_fields_strategy",
                "threshold rules suppress by their threshold fields: [rule.alert_suppression] takes only a duration");
        }
        else if (!isThreshold && groupBy.Count is < 1 or > 3)
        {
            Report(table, "group_by", "alert suppression needs group_by with 1 to 3 field names");
        }

        if (table.TryGet("group_by", out var groupNode))
        {
            foreach (var field in groupBy.Where(f => !TelemetrySchemas.Fields.TryResolve(f, out _, out _)))
            {
                TelemetrySchemas.Fields.TryResolve(field, out _, out var problem);
                diagnostics.Add(new RuleDiagnostic(groupNode.Location, $"group_by field '{field}': {problem}"));
            }
        }

        TimeSpan? duration = null;
        if (Table(table, "duration", where, required: isThreshold) is { } durationTable)
        {
            var value = Integer(durationTable, "value", $"{where} duration", required: true);
            var unit = OneOf(durationTable, "unit", $"{where} duration", ["s", "m", "h"], null);
            if (value is <= 0)
            {
                Report(durationTable, "value", $"the suppression duration must be positive, not {value}");
            }
            else if (value is { } amount && unit is not null)
            {
                duration = TimeUnits.ToTimeSpan(amount, unit);
            }
        }

        var strategy = OneOf(table, "missing_fields_strategy", where, ["suppress", "doNotSuppress"], "suppress") == "doNotSuppress"
            ? MissingFieldsStrategy.DoNotSuppress
            : MissingFieldsStrategy.Suppress;

        // Without a duration Elastic suppresses within one rule execution; the nearest a stream has is the interval.
        var interval = TimeSpan.FromMinutes(5);
        if (duration is null && String(rule, "interval", "[rule]", required: false) is { } text && TimeUnits.TryParse(text, out var parsed))
        {
            interval = parsed;
        }

        return new AlertSuppression(groupBy, duration, duration ?? interval, strategy);
    }

    private string? OneOf(TomlTableNode table, string key, string where, string[] allowed, string? fallback)
    {
        if (!table.TryGet(key, out _))
        {
            if (fallback is null)
            {
                diagnostics.Add(new RuleDiagnostic(table.Location, $"missing '{key}' in {where} (one of {string.Join(", ", allowed)})"));
            }

            return fallback;
        }

        var text = String(table, key, where, required: true);
        if (text is null)
        {
            return null;
        }

        if (allowed.Contains(text))
        {
            return text;
        }

        Report(table, key, $"'{key}' in {where} must be one of {string.Join(", ", allowed)}, not \"{text}\"");
        return null;
    }

    private TimeSpan? Duration(TomlTableNode table, string key)
    {
        var text = String(table, key, "[vigil]", required: false);
        if (text is null)
        {
            return null;
        }

        if (TimeUnits.TryParse(text, out var span))
        {
            return span;
        }

        Report(table, key, $"{key} \"{text}\" is not a duration: expected a whole number and a unit ({TimeUnits.Expected}), as in \"30s\"");
        return null;
    }

    private RuleException? ReadException(TomlTableNode table)
    {
        var builder = new RuleExceptionBuilder();
        var before = diagnostics.Count;
        foreach (var key in table.Keys)
        {
            if (key == "description")
            {
                builder.Description = String(table, key, "[[vigil.exception]]", required: false);
            }
            else if (ExceptionCriteria.TryGetValue(key, out var list))
            {
                list(builder).AddRange(Strings(table, key, "[[vigil.exception]]", allowSingle: true));
            }
            else
            {
                diagnostics.Add(new RuleDiagnostic(table.KeyLocation(key), $"unknown key '{key}' in [[vigil.exception]]: expected description, {string.Join(", ", ExceptionCriteria.Keys)}"));
            }
        }

        if (ExceptionCriteria.Values.All(list => list(builder).Count == 0))
        {
            diagnostics.Add(new RuleDiagnostic(table.Location, $"an exception needs at least one of {string.Join(", ", ExceptionCriteria.Keys)}"));
        }

        if (table.TryGet("destination_ip", out var ips))
        {
            foreach (var ip in builder.DestinationIps.Where(ip => !ExceptionConditions.IsAddressOrBlock(ip)))
            {
                diagnostics.Add(new RuleDiagnostic(ips.Location, $"\"{ip}\" is not an IP address or CIDR block"));
            }
        }

        return diagnostics.Count > before ? null : builder.Build();
    }

    private void Report(TomlTableNode table, string key, string message) =>
        diagnostics.Add(new RuleDiagnostic(table.TryGet(key, out var node) ? node.Location : table.Location, message));

    private TomlTableNode? Table(TomlTableNode parent, string key, string where, bool required)
    {
        if (!parent.TryGet(key, out var node))
        {
            if (required)
            {
                diagnostics.Add(new RuleDiagnostic(parent.Location, $"missing [{key}] table in {where}"));
            }

            return null;
        }

        if (node.Value is TomlTableNode table)
        {
            return table;
        }

        diagnostics.Add(new RuleDiagnostic(node.Location, $"'{key}' must be a table, not {node.Kind}"));
        return null;
    }

    private IEnumerable<TomlTableNode> Tables(TomlTableNode parent, string key, string where)
    {
        if (!parent.TryGet(key, out var node))
        {
            return [];
        }

        if (node.Value is List<TomlNode> items && items.All(i => i.Value is TomlTableNode))
        {
            return items.Select(i => (TomlTableNode)i.Value).ToList();
        }

        diagnostics.Add(new RuleDiagnostic(node.Location, $"'{key}' in {where} must be an array of tables ([[...]]), not {node.Kind}"));
        return [];
    }

    private string? String(TomlTableNode table, string key, string where, bool required)
    {
        if (!table.TryGet(key, out var node))
        {
            if (required)
            {
                diagnostics.Add(new RuleDiagnostic(table.Location, $"missing '{key}' in {where}"));
            }

            return null;
        }

        if (node.Value is string text && (text.Length > 0 || !required))
        {
            return text;
        }

        diagnostics.Add(new RuleDiagnostic(node.Location, node.Value is string ? $"'{key}' must not be empty" : $"'{key}' must be a string, not {node.Kind}"));
        return null;
    }

    private long? Integer(TomlTableNode table, string key, string where, bool required)
    {
        if (!table.TryGet(key, out var node))
        {
            if (required)
            {
                diagnostics.Add(new RuleDiagnostic(table.Location, $"missing '{key}' in {where}"));
            }

            return null;
        }

        if (node.Value is long value)
        {
            return value;
        }

        diagnostics.Add(new RuleDiagnostic(node.Location, $"'{key}' must be an integer, not {node.Kind}"));
        return null;
    }

    private List<string> Strings(TomlTableNode table, string key, string where, bool allowSingle = false)
    {
        if (!table.TryGet(key, out var node))
        {
            return [];
        }

        if (allowSingle && node.Value is string single)
        {
            return [single];
        }

        if (node.Value is List<TomlNode> items && items.All(i => i.Value is string))
        {
            return items.Select(i => (string)i.Value).ToList();
        }

        diagnostics.Add(new RuleDiagnostic(node.Location, $"'{key}' in {where} must be an array of strings, not {node.Kind}"));
        return [];
    }

    [GeneratedRegex(@"^TA\d{4}$")]
    private static partial Regex TacticId();

    [GeneratedRegex(@"^T\d{4}$")]
    private static partial Regex TechniqueId();

    [GeneratedRegex(@"^T\d{4}\.\d{3}$")]
    private static partial Regex SubtechniqueId();

    private sealed class RuleExceptionBuilder
    {
        public string? Description { get; set; }

        public List<string> ProcessExecutables { get; } = [];

        public List<string> ParentExecutables { get; } = [];

        public List<string> SigningIds { get; } = [];

        public List<string> TeamIds { get; } = [];

        public List<string> Users { get; } = [];

        public List<string> PathPrefixes { get; } = [];

        public List<string> DestinationDomains { get; } = [];

        public List<string> DestinationIps { get; } = [];

        public RuleException Build() => new(
            Description, ProcessExecutables, ParentExecutables, SigningIds, TeamIds, Users, PathPrefixes, DestinationDomains, DestinationIps);
    }
}
