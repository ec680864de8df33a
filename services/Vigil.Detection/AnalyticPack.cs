using Vigil.Contracts.Telemetry;
using Vigil.Eql;
using Vigil.Eql.Documents;
using Vigil.Eql.Sequences;
using Vigil.Rules;

namespace Vigil.Detection;

/// <summary>The rules of one analytic, loaded from a folder and compiled against the telemetry contract at start.</summary>
public sealed class AnalyticPack
{
    private AnalyticPack(string analytic, string directory, IReadOnlyList<CompiledRule> rules)
    {
        Analytic = analytic;
        Directory = directory;
        Rules = rules;
    }

    public string Analytic { get; }

    public string Directory { get; }

    public IReadOnlyList<CompiledRule> Rules { get; }

    /// <summary>
    /// Loads every rule file of <paramref name="directory"/>. A pack with any broken rule does not start:
    /// the exception lists every problem with file:line:column.
    /// </summary>
    public static AnalyticPack Load(string analytic, string directory, TimeSpan defaultLateness)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            throw new RulePackException($"Rule folder '{directory}' for analytic '{analytic}' does not exist.", []);
        }

        var loaded = RuleLoader.LoadDirectory(directory);
        if (!loaded.Succeeded)
        {
            throw new RulePackException($"Rule folder '{directory}' has {loaded.Errors.Count} error(s).", loaded.Errors.Select(e => e.ToString()).ToArray());
        }

        if (loaded.Rules.Count == 0)
        {
            throw new RulePackException($"Rule folder '{directory}' holds no rules.", []);
        }

        var rules = loaded.Rules.Select(rule => Compile(rule, analytic, defaultLateness)).ToArray();
        return new AnalyticPack(analytic, directory, rules);
    }

    /// <summary>Finds rules/&lt;analytic&gt;: next to the application first, then in the nearest folder above the working directory.</summary>
    public static string DefaultDirectory(string analytic)
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "rules", analytic) };
        for (var dir = new DirectoryInfo(System.IO.Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            candidates.Add(Path.Combine(dir.FullName, "rules", analytic));
        }

        return candidates.FirstOrDefault(System.IO.Directory.Exists) ?? candidates[0];
    }

    private static CompiledRule Compile(DetectionRule rule, string analytic, TimeSpan defaultLateness)
    {
        var query = EqlCompiler.Compile(rule.Query, TelemetrySchemas.Protobuf);
        var engine = new SequenceEngine<TelemetryEvent>(query, new SequenceEngineOptions { Lateness = rule.Vigil.Lateness ?? defaultLateness });
        return new CompiledRule(
            rule,
            (rule.Vigil.Analytic ?? analytic).ToUpperInvariant(),
            query,
            engine,
            new HostStateSerializer<TelemetryEvent>(query, TelemetrySchemas.Protobuf),
            new RuleExceptionFilter<TelemetryEvent>(rule.Vigil.Exceptions, TelemetrySchemas.Protobuf),
            rule.Vigil.SuppressionWindow);
    }
}
