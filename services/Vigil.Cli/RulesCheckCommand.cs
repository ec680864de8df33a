using System.Text.Json;
using Vigil.Detection;
using Vigil.Detection.SourceCoverage;
using Vigil.Rules;

namespace Vigil.Cli;

/// <summary>
/// `vigil rules check`: loads a rule file or folder (recursively) as the correlator would, reports every problem at
/// file:line:column, then says per rule whether it loads and whether the configured sources can ever feed it (a rule
/// that compiles but needs an event kind or field no source produces is a warning), and ends with a summary line.
/// </summary>
public static class RulesCheckCommand
{
    public const string Usage = "vigil rules check <rule file|folder> [--sources elastic,eslogger,simulator] [--format text|json]";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Exit code 1 when any rule fails to load, 2 on usage errors; warnings alone exit 0.</summary>
    public static async Task<int> RunAsync(string path, CliArguments arguments, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (arguments.UnknownOptions(["sources", "format"]).FirstOrDefault() is { } unknown)
        {
            await stderr.WriteLineAsync($"unknown option --{unknown}. Usage: {Usage}");
            return 2;
        }

        var format = arguments.Option("format") ?? "text";
        if (format is not ("text" or "json"))
        {
            await stderr.WriteLineAsync($"--format must be text or json, not '{format}'.");
            return 2;
        }

        var sources = new List<SourceFormat>();
        foreach (var name in (arguments.Option("sources") ?? string.Join(',', SourceCatalog.Default.Sources.Select(s => s.Name))).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (SourceCatalog.Default.Find(name) is not { } source)
            {
                await stderr.WriteLineAsync($"unknown source '{name}': the catalog declares {string.Join(", ", SourceCatalog.Default.Sources.Select(s => s.Name))}.");
                return 2;
            }

            sources.Add(source);
        }

        var isFolder = Directory.Exists(path);
        if (!isFolder && !File.Exists(path))
        {
            await stderr.WriteLineAsync($"{path}: no such file or folder.");
            return 2;
        }

        var report = Check(path, isFolder, sources);
        if (format == "json")
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(report, Json));
        }
        else
        {
            await WriteTextAsync(report, stdout);
        }

        return report.Summary.PackLoads ? 0 : 1;
    }

    private static RulesCheckReport Check(string path, bool isFolder, IReadOnlyList<SourceFormat> sources)
    {
        var loaded = isFolder ? RuleLoader.LoadDirectory(path) : RuleLoader.LoadFile(path);
        var files = isFolder ? Directory.EnumerateFiles(path, "*.toml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList() : [path];
        var compiled = loaded.Succeeded && loaded.Rules.Count > 0
            ? AnalyticPack.LoadAll(path, TimeSpan.FromSeconds(2)).Rules.ToDictionary(r => r.RuleId)
            : [];
        var rules = new List<RuleCheck>();
        foreach (var file in files)
        {
            var errors = loaded.Errors.Where(e => e.Location.Source == file).Select(e => e.ToString()).ToList();
            foreach (var rule in loaded.Rules.Where(r => r.SourceName == file))
            {
                // KQL and Lucene rules are checked through the EQL condition they compile to, like every other consumer.
                var query = rule.Dialect is { } dialect
                    ? Vigil.Eql.Kql.KqlCompiler.Compile(rule.Query, dialect, Vigil.Rules.TelemetrySchemas.Protobuf).Syntax
                    : Vigil.Eql.Syntax.EqlParser.Parse(rule.Query);
                var perSource = RuleCoverage.Check(query, sources);
                var canFire = perSource.Where(p => p.Value.Count == 0).Select(p => p.Key).ToList();
                var warnings = new List<string>();
                if (canFire.Count == 0)
                {
                    warnings.Add($"can never fire with the configured sources ({string.Join(", ", sources.Select(s => s.Name))}): " +
                        string.Join("; ", perSource.SelectMany(p => p.Value).Distinct()));
                }

                var unpopulated = RuleCoverage.FieldsNeverProduced(query, sources);
                rules.Add(new RuleCheck(
                    file, rule.RuleId, rule.Name, compiled.GetValueOrDefault(rule.RuleId)?.AnalyticId, rule.Type, Loads: true, errors,
                    warnings, canFire, perSource.ToDictionary(p => p.Key, p => p.Value), unpopulated));
            }

            if (!loaded.Rules.Any(r => r.SourceName == file))
            {
                rules.Add(new RuleCheck(file, null, null, null, null, Loads: false, errors, [], [], new Dictionary<string, IReadOnlyList<string>>(), []));
            }
        }

        // Errors outside rule files (exception list exports, value lists) belong to no rule but fail the check all the same.
        var otherErrors = loaded.Errors.Where(e => !files.Contains(e.Location.Source)).Select(e => e.ToString()).ToList();
        var failures = loaded.Errors
            .Select(e => new RuleLoadFailure(e.Location.ToString(), e.Location.Source, e.Location.Line, e.Location.Column, e.Message))
            .ToList();
        var failedFiles = rules.Count(r => !r.Loads);
        var summary = new RulesCheckSummary(
            Files: files.Count,
            Rules: loaded.Rules.Count + failedFiles,
            Compiled: loaded.Rules.Count,
            Failed: failedFiles,
            Errors: loaded.Errors.Count,
            BrokenFiles: loaded.Errors.Select(e => e.Location.Source).Distinct().Count(),
            Warnings: rules.Sum(r => r.Warnings.Count),
            PerAnalytic: compiled.Values.GroupBy(r => r.AnalyticId).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            Sources: sources.Select(s => s.Name).ToList(),
            PackLoads: loaded.Errors.Count == 0 && loaded.Rules.Count > 0);
        return new RulesCheckReport(rules, otherErrors, failures, summary);
    }

    private static async Task WriteTextAsync(RulesCheckReport report, TextWriter stdout)
    {
        foreach (var rule in report.Rules)
        {
            foreach (var error in rule.Errors)
            {
                await stdout.WriteLineAsync(error);
            }
        }

        foreach (var error in report.OtherErrors)
        {
            await stdout.WriteLineAsync(error);
        }

        foreach (var rule in report.Rules.Where(r => r.Loads))
        {
            var status = rule.Warnings.Count > 0 ? "WARN" : "ok  ";
            await stdout.WriteLineAsync($"{status} {rule.File}: {rule.Name} ({rule.Type}; fires with {(rule.FiresWith.Count == 0 ? "no source" : string.Join(", ", rule.FiresWith))})");
            foreach (var warning in rule.Warnings)
            {
                await stdout.WriteLineAsync($"     warning: {warning}");
            }

            if (rule.FieldsNoSourcePopulates.Count > 0)
            {
                await stdout.WriteLineAsync($"     fields no configured source populates: {string.Join(", ", rule.FieldsNoSourcePopulates)}");
            }
        }

        var s = report.Summary;
        if (s.Errors > 0)
        {
            await stdout.WriteLineAsync($"FAILED: {s.Errors} error(s) in {s.BrokenFiles} of {s.Files} file(s); {s.Compiled} of {s.Rules} rule(s) compiled; the pack will not load until every failure is fixed");
        }
        else if (s.Compiled == 0)
        {
            await stdout.WriteLineAsync("FAILED: no rule files (*.toml)");
        }
        else
        {
            await stdout.WriteLineAsync(
                $"OK: {s.Rules} rule(s) in {s.Files} file(s) ({string.Join(", ", s.PerAnalytic.Select(p => $"{p.Key} {p.Value}"))}), " +
                $"{s.Warnings} warning(s) for sources {string.Join(", ", s.Sources)}");
        }
    }
}
