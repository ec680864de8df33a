using Vigil.Rules.ExceptionLists;
using Vigil.Rules.Toml;

namespace Vigil.Rules;

/// <summary>
/// Loads Elastic detection-rules TOML files (the [metadata], [rule] and [[rule.threat]] layout) plus Vigil's optional
/// [vigil] section. Loading never stops at the first problem: every broken rule is reported with file:line:column.
/// </summary>
public static class RuleLoader
{
    /// <summary>Loads every *.toml file under <paramref name="directory"/> (recursively, in path order).</summary>
    public static RuleLoadResult LoadDirectory(string directory)
    {
        var rules = new List<DetectionRule>();
        var errors = new List<RuleDiagnostic>();
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        // Hidden entries are skipped: a Kubernetes ConfigMap volume holds every file again under ..data and a
        // timestamped folder (dot-names count as hidden on Linux), which would load each rule three times.
        var walk = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
        foreach (var path in Directory.EnumerateFiles(directory, "*.toml", walk).Order(StringComparer.Ordinal))
        {
            var result = Parse(File.ReadAllText(path), path);
            errors.AddRange(result.Errors);
            foreach (var rule in result.Rules)
            {
                if (owners.TryGetValue(rule.RuleId, out var owner))
                {
                    errors.Add(new RuleDiagnostic(new Eql.SourceLocation(path, 1, 1), $"rule_id {rule.RuleId} is already used by {owner}"));
                    continue;
                }

                owners[rule.RuleId] = path;
                rules.Add(rule);
            }
        }

        return WithExceptionLists(directory, rules, errors);
    }

    /// <summary>Loads one rule file, with the exception lists of its folder.</summary>
    public static RuleLoadResult LoadFile(string path)
    {
        var result = Parse(File.ReadAllText(path), path);
        return WithExceptionLists(path, result.Rules, result.Errors.ToList());
    }

    /// <summary>Reads the exception list exports that belong to <paramref name="rulesPath"/> and checks every reference to them.</summary>
    private static RuleLoadResult WithExceptionLists(string rulesPath, IReadOnlyList<DetectionRule> rules, List<RuleDiagnostic> errors)
    {
        var catalog = ExceptionListCatalog.Load(ExceptionListCatalog.FoldersFor(rulesPath), errors);
        foreach (var rule in rules)
        {
            catalog.Check(rule, errors);
        }

        return new RuleLoadResult(rules, errors) { ExceptionLists = catalog };
    }

    /// <summary>Reads one rule from TOML text; <paramref name="sourceName"/> names it in diagnostics.</summary>
    public static RuleLoadResult Parse(string text, string sourceName)
    {
        var errors = new List<RuleDiagnostic>();
        var root = TomlDocumentReader.Read(text, sourceName, errors);
        var rule = errors.Count == 0 ? new RuleReader(sourceName, errors).Read(root) : null;
        var ordered = errors.OrderBy(e => e.Location.Line).ThenBy(e => e.Location.Column).ToArray();
        return new RuleLoadResult(rule is null ? [] : [rule], ordered);
    }
}
